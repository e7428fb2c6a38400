import Container
import EntropyCoding
import Foundation
import TestSupport
import Testing

/// Golden containers, one per format version, in `Tests/Data/container/golden-v<N>.octz`, each with the
/// content it must read back as in `golden-v<N>.json`. Every version must keep reading identically
/// forever. `Scripts/regenerate-golden-containers` writes the current version's pair; files of
/// released versions are never regenerated.
@Suite struct GoldenContainerTests {
    static let directory = Fixtures.testData.appendingPathComponent("container")
    static var regenerating: Bool { ProcessInfo.processInfo.environment["OCTARC_REGENERATE_GOLDEN"] == "1" }

    static func golden(version: Int) -> (container: URL, expectation: URL) {
        (
            directory.appendingPathComponent("golden-v\(version).octz"),
            directory.appendingPathComponent("golden-v\(version).json")
        )
    }

    /// The golden container's content: small, so that flipping each of its bits takes seconds, yet with
    /// every kind of field (padding value, properties, a record with and one without ROI and checksum).
    static func goldenInput() throws -> (ContainerHeader, [FrameRecord]) {
        let header = ContainerHeader(
            toolVersion: "0.1.0", profileName: "golden", profileWeightsSHA256: (0..<32).map { UInt8($0 * 7 & 0xFF) },
            studyInstanceUID: "1.2.3.4", seriesInstanceUID: "1.2.3.4.5", patientID: "P1",
            properties: ["quality": "40"],
            instances: [
                InstanceInfo(
                    sopInstanceUID: "1.2.3.4.5.6", sopClassUID: "1.2.840.10008.5.1.4.1.1.77.1.5.4",
                    transferSyntaxUID: "1.2.840.10008.1.2.1",
                    geometry: PixelGeometry(
                        rows: 496, columns: 768, frames: 3, bitsAllocated: 8, bitsStored: 8,
                        highBit: 7, pixelRepresentation: 0, photometricInterpretation: "MONOCHROME2",
                        pixelPaddingValue: 255),
                    pixelDataByteCount: 496 * 768 * 3,
                    headerDataset: Array(
                        "\u{8}\0\u{16}\0UI\u{1c}\01.2.840.10008.5.1.4.1.1.77.1.5.4\0\u{10}\0\u{20}\0LO\u{2}\0P1".utf8))
            ])
        let model = try SymbolModel(counts: [[1, 10, 100, 1000, 100, 10, 1], [5, 5, 50, 500, 50, 5, 5]])
        let symbols: [Int32] = (0..<64).map { Int32([3, 3, 2, 3, 4, 3, 3, 1][$0 % 8]) }
        let records = [
            FrameRecord(
                instanceIndex: 0, frameIndex: 0, roi: Array("band 112...367".utf8),
                bitstream: LatentCoder.encode(symbols, model: model), pixelChecksum: 0xC0FF_EE00),
            FrameRecord(
                instanceIndex: 0, frameIndex: 2, roi: [],
                bitstream: LatentCoder.encode(symbols.reversed(), model: model)),
        ]
        return (header, records)
    }
}

extension GoldenContainerTests {
    @Test(.disabled(if: regenerating))
    func everyVersionsGoldenContainerReadsAsExpected() throws {
        for version in OctzFormat.readableVersions {
            let golden = Self.golden(version: version)
            let reader = try OctzReader(url: golden.container)
            try reader.verify()
            let expected = try JSONDecoder().decode(GoldenContent.self, from: Data(contentsOf: golden.expectation))
            #expect(try GoldenContent(reader: reader) == expected, "golden-v\(version)")
            #expect(reader.formatVersion == version)
        }
    }

    @Test(.disabled(if: regenerating))
    func theCurrentGoldenHoldsTheGeneratorsContent() throws {
        let (header, records) = try Self.goldenInput()
        let reader = try OctzReader(url: Self.golden(version: OctzFormat.currentVersion).container)
        #expect(reader.header == header)
        #expect(try (0..<reader.recordCount).map { try reader.record(at: $0) } == records)
    }

    @Test(.enabled(if: regenerating))
    func regenerateCurrentGoldenContainer() throws {
        let (header, records) = try Self.goldenInput()
        let golden = Self.golden(version: OctzFormat.currentVersion)
        let writer = try OctzWriter(url: golden.container, header: header)
        for record in records { try writer.append(record) }
        _ = try writer.finish()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(GoldenContent(reader: OctzReader(url: golden.container)))
            .write(to: golden.expectation, options: .atomic)
    }
}
