import Foundation
import TestSupport
import Testing

@testable import Container

/// Damaged containers: every change must give a ContainerError naming the part that is wrong.
@Suite struct CorruptionTests {
    static func goldenBytes() throws -> [UInt8] {
        [UInt8](try Data(contentsOf: GoldenContainerTests.golden(version: OctzFormat.currentVersion).container))
    }

    /// Reads everything; returns the error, or nil when the bytes read as a valid container.
    static func readFully(_ bytes: [UInt8]) -> ContainerError? {
        do {
            let reader = try OctzReader(bytes: bytes, name: "damaged.octz")
            try reader.verify()
            return nil
        } catch let error as ContainerError {
            return error
        } catch {
            Issue.record("not a ContainerError: \(error)")
            return nil
        }
    }

    /// The part of the golden container that holds `offset`.
    static func part(of offset: Int, in reader: OctzReader) -> ContainerError.Part {
        if offset < OctzFormat.preambleSize { return .preamble }
        if let (index, location) = reader.recordLocations.enumerated().first(where: {
            ($0.1.offset..<($0.1.offset + $0.1.length)).contains(offset)
        }) {
            return .record(index: index, instance: location.instanceIndex, frame: location.frameIndex)
        }
        let headerEnd = reader.recordLocations.first?.offset ?? 0
        if offset < headerEnd { return .header }
        return offset < reader.fileSize - OctzFormat.trailerSize ? .index : .trailer
    }

    static func preamble(version: Int) -> [UInt8] {
        var bytes = OctzFormat.magic + [UInt8(version & 0xFF), UInt8(version >> 8), 0, 0]
        let crc = CRC32C.checksum(bytes)
        bytes += [UInt8(crc & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8((crc >> 16) & 0xFF), UInt8(crc >> 24)]
        return bytes
    }
}

extension CorruptionTests {
    @Test func everySingleBitFlipIsDetectedInThePartItHits() throws {
        let golden = try Self.goldenBytes()
        let reader = try OctzReader(bytes: golden)
        var undetected: [Int] = []
        var misplaced: [String] = []
        for bit in 0..<(golden.count * 8) {
            var damaged = golden
            damaged[bit / 8] ^= 1 << UInt8(bit % 8)
            guard let error = Self.readFully(damaged) else {
                undetected.append(bit)
                continue
            }
            let expected = Self.part(of: bit / 8, in: reader)
            if error.part != expected {
                misplaced.append("byte \(bit / 8) bit \(bit % 8): expected \(expected), got \(error)")
            }
        }
        #expect(undetected.isEmpty, "undetected flips at bits \(undetected)")
        #expect(misplaced.isEmpty, "\(misplaced.prefix(10))")
    }

    @Test func everyTruncationIsReportedAsTruncated() throws {
        let golden = try Self.goldenBytes()
        let reader = try OctzReader(bytes: golden)
        let boundaries = reader.recordLocations.map(\.offset) + [golden.count - OctzFormat.trailerSize]
        for length in 0..<golden.count {
            let error = try #require(Self.readFully(Array(golden.prefix(length))), "length \(length)")
            guard case .truncated(let detail) = error.problem else {
                Issue.record("length \(length): \(error)")
                continue
            }
            #expect(error.part == (length < OctzFormat.preambleSize ? .preamble : .trailer), "\(error)")
            if let position = boundaries.firstIndex(of: length) {
                #expect(detail.contains("\(position) complete frame records"), "\(error)")
            }
        }
    }

    @Test func truncatingALargerContainerAtRecordBoundariesAndRandomOffsets() throws {
        var generator = SeededGenerator(seed: 30)
        let header = ContainerSamples.header(instances: 2, framesEach: 25, datasetBytes: 2000, &generator)
        let records = try ContainerSamples.records(for: header, &generator)
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("large.octz")
        let writer = try OctzWriter(url: url, header: header, options: .init(compressionLevel: 1))
        for record in records { try writer.append(record) }
        _ = try writer.finish()
        let bytes = [UInt8](try Data(contentsOf: url))
        let reader = try OctzReader(bytes: bytes)

        for (position, location) in reader.recordLocations.enumerated() {
            let truncated = directory.appendingPathComponent("cut-\(position).octz")
            try Data(bytes.prefix(location.offset)).write(to: truncated)
            #expect {
                try OctzReader(url: truncated)
            } throws: { error in
                guard let error = error as? ContainerError, case .truncated(let detail) = error.problem else {
                    return false
                }
                return error.file == truncated.path
                    && detail.contains("\(position) complete frame records, nothing after them")
            }
        }
        for _ in 0..<300 {
            let length = Int.random(in: 0..<bytes.count, using: &generator)
            let error = Self.readFully(Array(bytes.prefix(length)))
            guard let error, case .truncated = error.problem else {
                Issue.record("length \(length): \(String(describing: error))")
                continue
            }
        }
    }

    @Test func aDamagedRecordNamesItsFrameAndLeavesTheOthersReadable() throws {
        let golden = try Self.goldenBytes()
        let location = try OctzReader(bytes: golden).recordLocations[1]
        var damaged = golden
        damaged[location.offset + location.length - 10] ^= 0x40
        let reader = try OctzReader(bytes: damaged, name: "scan.octz")
        _ = try reader.record(at: 0)
        #expect {
            try reader.record(at: 1)
        } throws: { error in
            guard let error = error as? ContainerError, case .checksumMismatch = error.problem else { return false }
            return error.description.hasPrefix(
                "scan.octz: record 2 (instance 1, frame 3): checksum mismatch in the record section")
        }
    }

    @Test func newerAndUnknownVersionsAreNamed() throws {
        let golden = try Self.goldenBytes()
        let newer = OctzFormat.currentVersion + 1
        for (version, expected) in [
            (newer, ContainerError.Problem.newerVersion(found: newer, supported: OctzFormat.currentVersion)),
            (0xFFFF, .newerVersion(found: 0xFFFF, supported: OctzFormat.currentVersion)),
            (0, .unknownVersion(0)),
        ] {
            let bytes = Self.preamble(version: version) + golden.dropFirst(OctzFormat.preambleSize)
            #expect(throws: ContainerError(file: "<memory>", part: .preamble, problem: expected)) {
                try OctzReader(bytes: bytes)
            }
        }
        #expect(Self.preamble(version: OctzFormat.currentVersion) == Array(golden.prefix(16)))
        let error = ContainerError(file: "a.octz", part: .preamble, problem: .newerVersion(found: 2, supported: 1))
        #expect(
            error.description
                == "a.octz: preamble: format version 2 is newer than this octarc reads (up to 1); use a newer octarc")
    }

    @Test func otherFilesAreNotContainers() throws {
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 0, count: 100)
        let error = try #require(Self.readFully(png))
        #expect(
            error.description
                == "damaged.octz: preamble: not an .octz container: it starts with 89 50 4e 47 0d 0a 1a 0a, not the .octz magic"
        )
        #expect(Self.readFully([])?.problem == .truncated("the file is 0 bytes, shorter than the 16-byte preamble"))
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: ContainerError.self) { try OctzReader(url: directory) }
        #expect(throws: ContainerError.self) { try OctzReader(url: directory.appendingPathComponent("missing.octz")) }
    }

    @Test func randomDamageGivesAnErrorOrTheExactContent() throws {
        let golden = try Self.goldenBytes()
        let expected = try GoldenContent(reader: OctzReader(bytes: golden))
        var generator = SeededGenerator(seed: 31)
        for trial in 0..<3000 {
            var damaged = golden
            switch trial % 3 {
            case 0:
                for _ in 0...Int.random(in: 0...3, using: &generator) {
                    damaged[Int.random(in: 0..<damaged.count, using: &generator)] = UInt8.random(
                        in: 0...255, using: &generator)
                }
            case 1:
                let start = Int.random(in: 0..<damaged.count, using: &generator)
                damaged.removeSubrange(start..<min(damaged.count, start + Int.random(in: 1...40, using: &generator)))
            default:
                let start = Int.random(in: 0...damaged.count, using: &generator)
                damaged.insert(
                    contentsOf: ContainerSamples.randomBytes(Int.random(in: 1...40, using: &generator), &generator),
                    at: start)
            }
            if Self.readFully(damaged) == nil {
                #expect(try GoldenContent(reader: OctzReader(bytes: damaged)) == expected)
            }
        }
    }
}

extension CorruptionTests {
    /// Fields behind a valid checksum are still checked before any arithmetic: a forged trailer whose
    /// index offset is near 2^64 once overflowed the end-of-index sum.
    @Test func forgedFieldsWithValidChecksumsAreRefused() throws {
        let golden = try Self.goldenBytes()
        let trailerStart = golden.count - OctzFormat.trailerSize
        for indexOffset in [UInt64.max, UInt64.max - 60, UInt64(Int.max), 1 << 40, 0, 17] {
            var forged = Array(golden[..<trailerStart])
            var trailer = ByteWriter()
            trailer.u64(indexOffset)
            trailer.u32(UInt32.max)
            trailer.u32(2)
            trailer.raw(OctzFormat.trailerMagic)
            trailer.u32(CRC32C.checksum(trailer.bytes))
            forged += trailer.bytes
            let error = try #require(Self.readFully(forged))
            #expect(error.part == .trailer, "\(error)")
        }
    }
}

extension CorruptionTests {
    @Test func invalidUTF8InAStringIsNamed() throws {
        var writer = ByteWriter()
        writer.u16(3)
        writer.raw([0x41, 0xC3, 0x28])
        var reader = ByteReader(writer.bytes, site: ErrorSite(file: "x.octz", part: .header), what: "header metadata")
        #expect(
            throws: ContainerError(
                file: "x.octz", part: .header,
                problem: .invalid("header metadata: patient ID is not valid UTF-8"))
        ) {
            try reader.string("patient ID")
        }
    }
}
