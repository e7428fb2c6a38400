import Foundation
import TestSupport
import Testing

@testable import Imaging

/// The false-lesion measure verify reports, against the lesion benchmark's (Scripts/lesions/insert.py)
/// on the fixture Scripts/testdata/make_false_lesions.py generates from a real Spectralis frame of
/// Samples/: the same templates, the same positions marked and the same lesions counted, and what a
/// blur, a dark spot and a bright dot give.
@Suite struct FalseLesionsTests {
    struct Expected: Decodable {
        struct Counted: Decodable {
            var count: Int
            var positions: Int
        }
        var templates: [String: [String: [[Int]]]]
        var versions: [String: [String: Counted]]
    }

    static let folder = Fixtures.testData.appendingPathComponent("false-lesions")

    static func gray(_ name: String) throws -> Image<Double> {
        try PNG.read8(folder.appendingPathComponent(name)).map { Double($0) }
    }

    static func mask(_ name: String) throws -> Image<Bool> {
        try PNG.read8(folder.appendingPathComponent(name)).map { $0 > 127 }
    }

    static func measure() throws -> FalseLesions {
        FalseLesions(
            original: try gray("original.png"), region: try mask("region.png"), valid: try mask("valid.png"),
            maxValue: 255)
    }

    static func expected() throws -> Expected {
        try JSONDecoder().decode(
            Expected.self, from: Data(contentsOf: folder.appendingPathComponent("expected.json")))
    }

    @Test func templatesAreTheBenchmarks() throws {
        let expected = try Self.expected()
        #expect(expected.templates.count == FalseLesions.sizes.count)
        for size in FalseLesions.sizes {
            let template = FalseLesions.Template(height: size.height, width: size.width)
            let runs = try #require(expected.templates["\(size.height)x\(size.width)"])
            for (name, mine) in [("core", template.core), ("inner", template.inner), ("outer", template.outer)] {
                #expect(mine.map { [$0.dy, $0.first, $0.last] } == runs[name], "\(size) \(name)")
            }
        }
    }

    @Test func countsAsTheBenchmarkDoes() throws {
        let expected = try Self.expected()
        let measure = try Self.measure()
        #expect(expected.versions.count == 3)
        for (name, sizes) in expected.versions {
            let restored = try Self.gray(name)
            let maps = measure.maps(restored)
            let counts = measure.count(restored)
            for ((size, hits), (_, count)) in zip(maps, counts) {
                let want = try #require(sizes[size.description])
                #expect(count == want.count, "\(name) \(size)")
                #expect(hits.pixels.count { $0 } == want.positions, "\(name) \(size)")
            }
        }
        // The fixture exercises both kinds: JPEG 2000 adds dark spots, noise bright dots, a blur nothing.
        #expect(expected.versions["restored-j2k.png"]?["cyst 3x5"]?.count ?? 0 > 0)
        #expect(expected.versions["restored-noise.png"]?["focus 2x3"]?.count ?? 0 > 0)
        #expect(expected.versions["restored-blur.png"]?.values.allSatisfy { $0.count == 0 } == true)
    }

    @Test func aDarkSpotIsOneFalseCystAndTheOriginalNone() throws {
        let original = try Self.gray("original.png")
        let region = try Self.mask("region.png")
        let measure = try Self.measure()
        #expect(measure.count(original).allSatisfy { $0.count == 0 })
        // An 8 x 14 spot at the speckle x 0.3, where the retina is: one false cyst of that size.
        let (cx, cy) = try #require(Self.centre(of: region, clearance: 16))
        var spotted = original
        for y in (cy - 4)..<(cy + 4) {
            for x in (cx - 7)..<(cx + 7) {
                let dy = (Double(y - cy) + 0.5) / 4
                let dx = (Double(x - cx) + 0.5) / 7
                if dy * dy + dx * dx < 1 { spotted[x, y] = (original[x, y] * 0.3).rounded() }
            }
        }
        let counts = Dictionary(uniqueKeysWithValues: measure.count(spotted).map { ($0.size.description, $0.count) })
        #expect(counts["cyst 8x14"] == 1)
        #expect(counts.filter { $0.key.hasPrefix("focus") }.values.allSatisfy { $0 == 0 })
        // And it is found where it was put (the spot's centre lies between pixels cx - 1 and cx).
        let found = try #require(measure.lesions(spotted).first { $0.size.description == "cyst 8x14" })
        #expect(abs(found.x - cx) <= 1 && abs(found.y - cy) <= 1, "\(found) vs (\(cx), \(cy))")
    }

    /// A region pixel with `clearance` region pixels around it, in the middle of those there are.
    static func centre(of region: Image<Bool>, clearance: Int) -> (Int, Int)? {
        var found: [(Int, Int)] = []
        for y in clearance..<(region.height - clearance) {
            for x in clearance..<(region.width - clearance) {
                let clear = (-clearance...clearance).allSatisfy { d in
                    region[x + d, y] && region[x, y + d]
                }
                if clear { found.append((x, y)) }
            }
        }
        return found.isEmpty ? nil : found[found.count / 2]
    }
}
