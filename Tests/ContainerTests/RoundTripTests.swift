import Foundation
import TestSupport
import Testing

@testable import Container

@Suite struct RoundTripTests {}

extension RoundTripTests {
    @Test func everyRecordComesBackAsWritten() throws {
        var generator = SeededGenerator(seed: 10)
        let header = ContainerSamples.header(instances: 3, framesEach: 12, datasetBytes: 3000, &generator)
        let records = try ContainerSamples.records(for: header, stride: 1, &generator)
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("series.octz")

        let writer = try OctzWriter(url: url, header: header, options: .init(compressionLevel: 3))
        for record in records { try writer.append(record) }
        let written = try writer.finish()

        let reader = try OctzReader(url: url)
        #expect(reader.formatVersion == OctzFormat.currentVersion)
        #expect(reader.header == header)
        #expect(reader.recordCount == records.count)
        #expect(reader.accounting == written)
        let fileSize = try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int
        #expect(written.total == fileSize)
        #expect(written.recordCount == records.count)
        // Random access, backwards.
        for index in records.indices.reversed() {
            #expect(try reader.record(at: index) == records[index])
        }
        try reader.verify()
        for (index, record) in records.enumerated() {
            #expect(reader.recordIndex(instance: record.instanceIndex, frame: record.frameIndex) == index)
        }
        #expect(reader.recordIndex(instance: 3, frame: 0) == nil)
        #expect(reader.recordIndex(instance: 0, frame: 12) == nil)
        #expect(throws: ContainerError.self) { try reader.record(at: records.count) }
        #expect(throws: ContainerError.self) { try reader.record(at: -1) }
    }

    @Test func sparseRecordsEmptyBlobsAndNoRecordsRoundTrip() throws {
        var generator = SeededGenerator(seed: 11)
        var header = ContainerSamples.header(instances: 2, framesEach: 7, datasetBytes: 0, &generator)
        header.properties = [:]
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("sparse.octz")

        let empty = try OctzWriter(url: url, header: header)
        _ = try empty.finish()
        let emptyReader = try OctzReader(url: url)
        #expect(emptyReader.header == header)
        #expect(emptyReader.recordCount == 0)

        let records = [
            FrameRecord(instanceIndex: 0, frameIndex: 6, roi: [], bitstream: []),
            FrameRecord(instanceIndex: 1, frameIndex: 0, roi: [1], bitstream: [], pixelChecksum: 0),
            FrameRecord(
                instanceIndex: 1, frameIndex: 3, roi: [], bitstream: [9, 9, 9],
                pixelChecksum: .max),
        ]
        let writer = try OctzWriter(url: url, header: header)
        for record in records { try writer.append(record) }
        let accounting = try writer.finish()
        let reader = try OctzReader(url: url)
        #expect(try (0..<3).map { try reader.record(at: $0) } == records)
        #expect(reader.accounting == accounting)
        #expect(reader.recordIndex(instance: 1, frame: 3) == 2)
        #expect(reader.recordIndex(instance: 1, frame: 2) == nil)
    }

    @Test func accountingSeparatesTheCategories() throws {
        var generator = SeededGenerator(seed: 12)
        let header = ContainerSamples.header(instances: 1, framesEach: 20, datasetBytes: 5000, &generator)
        let records = try ContainerSamples.records(for: header, &generator)
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("accounting.octz")
        let writer = try OctzWriter(url: url, header: header)
        for record in records { try writer.append(record) }
        let accounting = try writer.finish()

        #expect(accounting.fileHeader == 16)
        // 17 bytes of record fields in version 2.
        #expect(accounting.framing == 12 + 4 + records.count * (12 + 17) + 12)
        // Incompressible bitstreams cost their size plus a zstd frame's header, block header and checksum.
        let rawBitstreams = records.reduce(0) { $0 + $1.bitstream.count }
        #expect(accounting.bitstreams >= rawBitstreams)
        #expect(accounting.bitstreams <= rawBitstreams + records.count * 16)
        // The repetitive header dataset compresses.
        #expect(accounting.headerDatasets > 0 && accounting.headerDatasets < 5000)
        #expect(accounting.roiRecords > 0)
        #expect(accounting.categories.map(\.bytes).reduce(0, +) == accounting.total)
        let json = try JSONEncoder().encode(accounting)
        #expect(try JSONDecoder().decode(ByteAccounting.self, from: json) == accounting)
    }

    @Test func readersAreSafeToShareAcrossThreads() async throws {
        var generator = SeededGenerator(seed: 13)
        let header = ContainerSamples.header(instances: 1, framesEach: 40, datasetBytes: 100, &generator)
        let records = try ContainerSamples.records(for: header, &generator)
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("shared.octz")
        let writer = try OctzWriter(url: url, header: header, options: .init(compressionLevel: 1))
        for record in records { try writer.append(record) }
        _ = try writer.finish()

        let reader = try OctzReader(url: url)
        let decoded = try await withThrowingTaskGroup(of: (Int, FrameRecord).self) { group in
            for index in records.indices {
                group.addTask { (index, try reader.record(at: index)) }
            }
            return try await group.reduce(into: [Int: FrameRecord]()) { $0[$1.0] = $1.1 }
        }
        #expect(records.indices.map { decoded[$0] } == records)
    }
}
