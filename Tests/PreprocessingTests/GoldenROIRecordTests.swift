import Foundation
import Preprocessing
import TestSupport
import Testing

/// Golden ROI records, one per record version, in `Tests/Data/roi/roi-v<N>.bin`: the records of
/// `ROIRecordTests`' synthetic geometries (version 1 without, version 2 with the coarse context). Each
/// must decode to its geometry and the geometry must encode to it byte for byte, forever: a restore of
/// an old container reads exactly these layouts. `Scripts/regenerate-golden-containers` writes the
/// current version's file (and a released version's only when it is missing); released files are never
/// rewritten.
@Suite struct GoldenROIRecordTests {
    static let directory = Fixtures.testData.appendingPathComponent("roi")

    static func geometry(version: Int) -> ROIGeometry {
        version == 1 ? ROIRecordTests.syntheticGeometry() : ROIRecordTests.syntheticGeometryWithContext()
    }

    @Test(arguments: [1, 2]) func goldenRecordsDecodeAndEncodeByteForByte(version: Int) throws {
        let url = Self.directory.appendingPathComponent("roi-v\(version).bin")
        let expected = Self.geometry(version: version)
        if GoldenContainerRegeneration.enabled
            && (version == Int(ROIRecord.version) || !FileManager.default.fileExists(atPath: url.path))
        {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            try Data(ROIRecord.encode(expected)).write(to: url, options: .atomic)
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        #expect(bytes[0] == UInt8(version))
        #expect(try ROIRecord.decode(bytes) == expected)
        #expect(ROIRecord.encode(expected) == bytes)
    }
}

/// `OCTARC_REGENERATE_GOLDEN=1`, set by `Scripts/regenerate-golden-containers`.
enum GoldenContainerRegeneration {
    static var enabled: Bool { ProcessInfo.processInfo.environment["OCTARC_REGENERATE_GOLDEN"] == "1" }
}
