import Foundation
import Imaging
import Preprocessing
import TestSupport

/// Frames from the shared development data, as the product reads them.
enum DevFrames {
    static var duke: URL { Fixtures.sharedData.appendingPathComponent("dev/duke/subject07") }
    static var bioptigen: URL { Fixtures.sharedData.appendingPathComponent("dev/bioptigen") }

    /// An 8-bit PNG as intensities in 0...1 with its 255 edge wedges as padding.
    static func load(_ url: URL) throws -> (Image<Float>, PaddingMask?) {
        let image = try PNG.readGray(url).image.normalized(maxValue: 255)
        return (image, PaddingMask.edgeRuns(of: 1, in: image))
    }

    static func dukeFrame(_ number: Int) throws -> (Image<Float>, PaddingMask?) {
        try load(duke.appendingPathComponent(String(format: "bscan%02d.png", number)))
    }

    /// Uniform noise in 0...1 from a 32-bit LCG (deterministic).
    static func noise(width: Int, height: Int, seed: UInt32) -> Image<Float> {
        var state = seed
        var image = Image<Float>(width: width, height: height, repeating: 0)
        for i in image.pixels.indices {
            state = state &* 1_664_525 &+ 1_013_904_223
            image.pixels[i] = Float(state >> 8) / Float(1 << 24)
        }
        return image
    }

    /// The layer rows of a CASEREL CSV (one line per boundary, 1-based rows).
    static func referenceLayers(_ url: URL) throws -> [[Double]] {
        try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline)
            .map { $0.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) } }
    }
}
