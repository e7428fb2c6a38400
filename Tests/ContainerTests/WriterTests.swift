import Foundation
import TestSupport
import Testing

@testable import Container

@Suite struct WriterTests {
    static func visibleFiles(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func allFiles(_ directory: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
    }
}

extension WriterTests {
    @Test func nothingIsVisibleUntilFinishAndRecordsGoToDiskAsTheyCome() throws {
        var generator = SeededGenerator(seed: 20)
        let header = ContainerSamples.header(instances: 1, framesEach: 30, datasetBytes: 500, &generator)
        let records = try ContainerSamples.records(for: header, &generator)
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("series.octz")

        let writer = try OctzWriter(url: url, header: header)
        let temporary = try Self.allFiles(directory)
        #expect(temporary.count == 1 && temporary[0].hasPrefix(".series.octz.") && temporary[0].hasSuffix(".partial"))
        var previous = writer.bytesWritten
        for record in records {
            try writer.append(record)
            #expect(writer.bytesWritten > previous)
            let onDisk =
                try FileManager.default.attributesOfItem(atPath: directory.appendingPathComponent(temporary[0]).path)[
                    .size] as? Int
            #expect(onDisk == writer.bytesWritten)
            previous = writer.bytesWritten
        }
        #expect(try Self.visibleFiles(directory).isEmpty)
        let accounting = try writer.finish()
        #expect(try Self.allFiles(directory) == ["series.octz"])
        #expect(accounting.total == writer.bytesWritten)
        #expect(throws: ContainerError.self) { try writer.append(records[0]) }
        #expect(throws: ContainerError.self) { try writer.finish() }
    }

    @Test func aWriterReleasedBeforeFinishingLeavesNothing() throws {
        var generator = SeededGenerator(seed: 21)
        let header = ContainerSamples.header(instances: 1, framesEach: 5, datasetBytes: 50, &generator)
        let records = try ContainerSamples.records(for: header, &generator)
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        do {
            let writer = try OctzWriter(url: directory.appendingPathComponent("dropped.octz"), header: header)
            try writer.append(records[0])
            #expect(try Self.allFiles(directory).count == 1)
        }
        #expect(try Self.allFiles(directory).isEmpty)
    }

    @Test func finishingReplacesAnOlderFileOnlyAtTheEnd() throws {
        var generator = SeededGenerator(seed: 22)
        let header = ContainerSamples.header(instances: 1, framesEach: 4, datasetBytes: 50, &generator)
        let records = try ContainerSamples.records(for: header, &generator)
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("series.octz")
        try Data("old".utf8).write(to: url)

        let writer = try OctzWriter(url: url, header: header)
        for record in records { try writer.append(record) }
        #expect(try Data(contentsOf: url) == Data("old".utf8))
        _ = try writer.finish()
        #expect(try OctzReader(url: url).recordCount == records.count)
    }

    @Test func badRecordsAreRefusedAndTheWriterGoesOn() throws {
        var generator = SeededGenerator(seed: 23)
        let header = ContainerSamples.header(instances: 2, framesEach: 4, datasetBytes: 50, &generator)
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("series.octz")
        let writer = try OctzWriter(url: url, header: header)
        func record(_ instance: Int, _ frame: Int) -> FrameRecord {
            FrameRecord(instanceIndex: instance, frameIndex: frame, roi: [1, 2], bitstream: [3])
        }
        try writer.append(record(0, 1))
        for bad in [record(0, 1), record(0, 0), record(2, 0), record(0, 4), record(-1, 0), record(1, -1)] {
            #expect {
                try writer.append(bad)
            } throws: { error in
                guard let error = error as? ContainerError, case .invalidArgument = error.problem else { return false }
                return error.part == .record(index: 1, instance: bad.instanceIndex, frame: bad.frameIndex)
                    && error.file == url.path
            }
        }
        try writer.append(record(1, 0))
        _ = try writer.finish()
        #expect(
            try OctzReader(url: url).recordLocations.map { [$0.instanceIndex, $0.frameIndex] } == [[0, 1], [1, 0]])
    }

    @Test func badHeadersAndOptionsAreRefusedBeforeAnythingIsWritten() throws {
        var generator = SeededGenerator(seed: 24)
        let good = ContainerSamples.header(instances: 1, framesEach: 4, datasetBytes: 50, &generator)
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("series.octz")
        var headers: [ContainerHeader] = []
        var header = good
        header.profileWeightsSHA256 = [1, 2, 3]
        headers.append(header)
        header = good
        header.instances = []
        headers.append(header)
        header = good
        header.patientID = String(repeating: "x", count: 65_536)
        headers.append(header)
        for change in [
            { (g: inout PixelGeometry) in g.rows = 0 }, { $0.columns = 70_000 }, { $0.frames = 0 },
            { $0.bitsStored = 9 }, { $0.highBit = 8 }, { $0.highBit = 3 }, { $0.pixelRepresentation = 2 },
            { $0.bitsAllocated = 65 },
        ] {
            header = good
            change(&header.instances[0].geometry)
            headers.append(header)
        }
        for header in headers {
            #expect(throws: ContainerError.self) { try OctzWriter(url: url, header: header) }
        }
        #expect(throws: ContainerError.self) {
            try OctzWriter(url: url, header: good, options: .init(compressionLevel: 99))
        }
        #expect(throws: ContainerError.self) {
            try OctzWriter(url: directory.appendingPathComponent("missing/series.octz"), header: good)
        }
        #expect(try Self.allFiles(directory).isEmpty)
    }
}
