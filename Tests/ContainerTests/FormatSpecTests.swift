import Foundation
import TestSupport
import Testing

@testable import Container

/// `Sources/Container/FORMAT.md` must match the code: its constant table, and its example, which
/// describes the committed golden container byte for byte.
@Suite struct FormatSpecTests {
    static func spec() throws -> String {
        try String(
            contentsOf: Fixtures.repositoryRoot.appendingPathComponent("Sources/Container/FORMAT.md"), encoding: .utf8)
    }

    /// The lines of the section that starts with `heading`, up to the next `## ` heading.
    static func section(_ heading: String, of spec: String) throws -> [Substring] {
        let lines = spec.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex { $0.hasPrefix(heading) }, "no section \(heading)")
        let end = lines[(start + 1)...].firstIndex { $0.hasPrefix("## ") } ?? lines.endIndex
        return Array(lines[(start + 1)..<end])
    }

    /// The cells of the table rows in `lines` (header and separator rows skipped).
    static func tableRows(_ lines: [Substring]) -> [[String]] {
        lines.filter { $0.hasPrefix("|") && !$0.hasPrefix("|---") }.dropFirst().map { line in
            line.split(separator: "|").map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            }
        }
    }

    /// Space-separated hex bytes, or nil when `text` is anything else.
    static func hexBytes(_ text: String) -> [UInt8]? {
        let bytes = text.split(separator: " ").compactMap { UInt8($0, radix: 16) }
        return bytes.count == text.split(separator: " ").count ? bytes : nil
    }
}

extension FormatSpecTests {
    @Test func theConstantTableMatchesTheCode() throws {
        let rows = Self.tableRows(try Self.section("## Constants", of: Self.spec()))
        let documented = Dictionary(uniqueKeysWithValues: rows.map { ($0[0], $0[1]) })
        let bytes: [String: [UInt8]] = [
            "magic": OctzFormat.magic, "trailer-magic": OctzFormat.trailerMagic,
            "tag-header": OctzFormat.headerTag, "tag-record": OctzFormat.recordTag, "tag-index": OctzFormat.indexTag,
        ]
        let numbers: [String: Int] = [
            "format-version": OctzFormat.currentVersion, "preamble-size": OctzFormat.preambleSize,
            "section-framing-size": OctzFormat.sectionFramingSize, "header-fields-size": OctzFormat.headerFieldsSize,
            "record-fields-size": OctzFormat.recordFieldsSize,
            "record-fields-size-v1": OctzFormat.version1RecordFieldsSize, "index-entry-size": OctzFormat.indexEntrySize,
            "trailer-size": OctzFormat.trailerSize, "max-string-bytes": OctzFormat.maximumStringBytes,
            "max-metadata-bytes": OctzFormat.maximumMetadataBytes,
            "max-header-dataset-bytes": OctzFormat.maximumHeaderDatasetBytes,
            "max-roi-bytes": OctzFormat.maximumROIBytes, "max-bitstream-bytes": OctzFormat.maximumBitstreamBytes,
            "max-section-bytes": OctzFormat.maximumSectionBytes, "max-record-count": OctzFormat.maximumRecordCount,
        ]
        #expect(Set(documented.keys) == Set(bytes.keys).union(numbers.keys))
        for (name, value) in bytes {
            #expect(documented[name].flatMap(Self.hexBytes) == value, "\(name)")
        }
        for (name, value) in numbers {
            #expect(documented[name].flatMap { Int($0) } == value, "\(name)")
        }
    }

    /// One example per format version, each describing that version's golden container.
    @Test(arguments: OctzFormat.readableVersions)
    func theExampleDescribesTheGoldenContainer(version: Int) throws {
        let lines = try Self.section("## Example: `Tests/Data/container/golden-v\(version).octz`", of: Self.spec())
        let url = Fixtures.testData.appendingPathComponent("container/golden-v\(version).octz")
        let file = [UInt8](try Data(contentsOf: url))
        let reader = try OctzReader(url: url)

        var layout: [(String, Int, Int)] = [("preamble", 0, 16)]
        let headerEnd = reader.recordLocations.first?.offset ?? 0
        layout.append(("header", 16, headerEnd - 16))
        for (index, location) in reader.recordLocations.enumerated() {
            layout.append(
                (
                    "record \(index) (instance \(location.instanceIndex), frame \(location.frameIndex))",
                    location.offset, location.length
                ))
        }
        let indexOffset = reader.recordLocations.last.map { $0.offset + $0.length } ?? 0
        layout.append(("index", indexOffset, file.count - 28 - indexOffset))
        layout.append(("trailer", file.count - 28, 28))
        let documented = Self.tableRows(lines).map { ($0[0], Int($0[1]) ?? -1, Int($0[2]) ?? -1) }
        #expect(documented.map(\.0) == layout.map(\.0))
        #expect(documented.map(\.1) == layout.map(\.1))
        #expect(documented.map(\.2) == layout.map(\.2))

        let fence = try #require(lines.firstIndex { $0.hasPrefix("```") })
        let fenceEnd = try #require(lines[(fence + 1)...].firstIndex { $0.hasPrefix("```") })
        let dumps = try lines[(fence + 1)..<fenceEnd].map { line -> (String, [UInt8]) in
            let colon = try #require(line.firstIndex(of: ":"))
            let bytes = try #require(Self.hexBytes(String(line[line.index(after: colon)...])), "\(line)")
            return (String(line[..<colon]), bytes)
        }
        #expect(dumps.map(\.0) == ["preamble", "record 0 fields", "record 1 fields", "trailer"])
        for (name, bytes) in dumps {
            let offset =
                switch name {
                case "preamble": 0
                case "trailer": file.count - 28
                default: reader.recordLocations[Int(name.split(separator: " ")[1])!].offset + 8
                }
            #expect(Array(file[offset..<(offset + bytes.count)]) == bytes, "\(name)")
        }
        #expect(reader.formatVersion == version)
        let sentence = try #require(lines.first { $0.hasPrefix("A ") && $0.contains("-byte container") })
        #expect(sentence.hasPrefix("A \(file.count)-byte container"), "\(sentence)")
        #expect(try reader.record(at: 0).pixelChecksum == 0xC0FF_EE00)
    }
}
