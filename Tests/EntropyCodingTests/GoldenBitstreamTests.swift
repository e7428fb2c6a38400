import Foundation
import Testing
import TestSupport
@testable import EntropyCoding

/// Golden latent bitstreams: committed bytes that must decode to the committed symbols, bit-exactly,
/// in every build configuration and on every platform, and that the encoder must reproduce exactly.
/// `Scripts/regenerate-golden-containers` rewrites them (only when the bitstream format changes on purpose).
@Suite struct GoldenBitstreamTests {
    static let directory = Fixtures.testData.appendingPathComponent("container/latent")
    static var regenerating: Bool { ProcessInfo.processInfo.environment["OCTARC_REGENERATE_GOLDEN"] == "1" }

    /// The committed description of a golden bitstream: each tensor's counts, precision and symbols.
    struct Golden: Codable {
        struct Tensor: Codable {
            var precisionBits: Int
            var counts: [[UInt32]]
            var symbols: [Int32]
        }
        var format = "octarc-latent-golden"
        var bitstream: String
        var tensors: [Tensor]
    }

    static func goldenFiles() throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "json" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}

extension GoldenBitstreamTests {
    @Test(.disabled(if: regenerating))
    func goldenBitstreamsDecodeAndEncodeBitExactly() throws {
        let files = try Self.goldenFiles()
        #expect(!files.isEmpty)
        for file in files {
            let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: file))
            let bytes = [UInt8](try Data(contentsOf: Self.directory.appendingPathComponent(golden.bitstream)))
            let tensors = try golden.tensors.map {
                (symbols: $0.symbols, model: try SymbolModel(counts: $0.counts, precisionBits: $0.precisionBits))
            }
            let decoded = try LatentCoder.decode(bytes, tensors: tensors.map { (count: $0.symbols.count, model: $0.model) })
            #expect(decoded == tensors.map(\.symbols), "\(file.lastPathComponent)")
            #expect(LatentCoder.encode(tensors) == bytes, "\(file.lastPathComponent)")
        }
    }

    @Test(.enabled(if: regenerating))
    func regenerateGoldenBitstreams() throws {
        var generator = SeededGenerator(seed: 20_250_601)
        var tensors: [Golden.Tensor] = []
        for (channels, levels, precision, positions) in [(32, 7, 15, 8 * 12), (8, 7, 15, 4 * 6), (3, 300, 14, 50)] {
            let counts = LatentSamples.counts(channels: channels, levels: levels, generator: &generator)
            var symbols = LatentSamples.symbols(count: channels * positions, counts: counts, generator: &generator)
            if channels == 8 {
                for (offset, value) in [Int32.min, -1, 7, 8, 65_536, .max].enumerated() {
                    symbols[offset * 29] = value
                }
            }
            tensors.append(.init(precisionBits: precision, counts: counts, symbols: symbols))
        }
        let golden = Golden(bitstream: "latent-v1.rans", tensors: tensors)
        let bytes = LatentCoder.encode(try tensors.map {
            (symbols: $0.symbols, model: try SymbolModel(counts: $0.counts, precisionBits: $0.precisionBits))
        })
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: Self.directory.appendingPathComponent(golden.bitstream), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(golden).write(to: Self.directory.appendingPathComponent("latent-v1.json"), options: .atomic)
    }
}
