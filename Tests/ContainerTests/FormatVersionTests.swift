import Foundation
import TestSupport
import Testing

@testable import Container

/// Version 2 dropped the record's mode byte; version 1 containers keep reading, mode byte included.
@Suite struct FormatVersionTests {
    static func bytes(version: Int) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: GoldenContainerTests.golden(version: version).container))
    }
}

extension FormatVersionTests {
    @Test func version1RecordsKeepTheirModeByteAndVersion2RecordsHaveNone() throws {
        let v1 = try OctzReader(bytes: Self.bytes(version: 1))
        #expect(try (0..<v1.recordCount).map { try v1.record(at: $0).version1Mode } == [.roiBand, .wholeFrame])
        let v2 = try OctzReader(bytes: Self.bytes(version: 2))
        #expect(try (0..<v2.recordCount).map { try v2.record(at: $0).version1Mode } == [nil, nil])
        // The same content otherwise, one byte less per record.
        for index in 0..<v1.recordCount {
            var record = try v1.record(at: index)
            record.version1Mode = nil
            #expect(try v2.record(at: index) == record)
            #expect(v2.recordLocations[index].length == v1.recordLocations[index].length - 1)
        }
        #expect(v2.header == v1.header)
    }

    @Test func aContainerLabelledWithTheOtherVersionIsRefused() throws {
        for (version, other) in [(1, 2), (2, 1)] {
            let bytes = try Self.bytes(version: version)
            let relabelled = CorruptionTests.preamble(version: other) + bytes.dropFirst(OctzFormat.preambleSize)
            #expect(CorruptionTests.readFully(relabelled) != nil, "golden-v\(version) read as version \(other)")
        }
    }

    @Test func theWriterWritesTheCurrentVersion() throws {
        let bytes = try Self.bytes(version: OctzFormat.currentVersion)
        let reader = try OctzReader(bytes: bytes)
        #expect(reader.formatVersion == 2)
        #expect(reader.recordLocations.allSatisfy { $0.length >= OctzFormat.minimumRecordSectionSize(version: 2) })
    }
}
