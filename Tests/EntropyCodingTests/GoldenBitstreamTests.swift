import Foundation
import TestSupport
import Testing

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
            /// Per-channel counts (version 1 tensors), or empty for a context tensor.
            var counts: [[UInt32]]
            var symbols: [Int32]
            /// Version 2 tensors: the tensor's width and its context counts (C x 125 x L).
            var width: Int?
            var contextCounts: [[[UInt32]]]?

            func model() throws -> LatentModel {
                if let contextCounts {
                    return .context(try ContextModel(counts: contextCounts, precisionBits: precisionBits))
                }
                return .perChannel(try SymbolModel(counts: counts, precisionBits: precisionBits))
            }

            func latentTensor() throws -> LatentTensor {
                LatentTensor(symbols: symbols, width: width ?? 1, model: try model())
            }
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
            let tensors = try golden.tensors.map { try $0.latentTensor() }
            let decoded = try LatentCoder.decode(bytes, tensors: tensors.map { ($0.symbols.count, $0.width, $0.model) })
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
        let bytes = LatentCoder.encode(
            try tensors.map {
                (symbols: $0.symbols, model: try SymbolModel(counts: $0.counts, precisionBits: $0.precisionBits))
            })
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: Self.directory.appendingPathComponent(golden.bitstream), options: .atomic)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(golden).write(to: Self.directory.appendingPathComponent("latent-v1.json"), options: .atomic)
        try regenerateVersion2(encoder: encoder)
    }

    /// Version 2: two context tensors (one with escapes among the neighbours) and a per-channel one.
    private func regenerateVersion2(encoder: JSONEncoder) throws {
        var generator = SeededGenerator(seed: 20_261_130)
        var tensors: [Golden.Tensor] = []
        for (height, width, channels, levels) in [(6, 24, 8, 31), (12, 48, 2, 7)] {
            var symbols = ContextModelTests.correlatedSymbols(
                height: height, width: width, channels: channels,
                levels: levels, generator: &generator)
            let counts = ContextModelTests.contextCounts(symbols, width: width, channels: channels, levels: levels)
            if channels == 8 {
                for (offset, value) in [Int32.min, -1, 31, 32, 65_536, .max].enumerated() {
                    symbols[offset * 131 + 9] = value
                }
            }
            tensors.append(.init(precisionBits: 15, counts: [], symbols: symbols, width: width, contextCounts: counts))
        }
        let counts = LatentSamples.counts(channels: 4, levels: 31, generator: &generator)
        tensors.append(
            .init(
                precisionBits: 15, counts: counts,
                symbols: LatentSamples.symbols(count: 4 * 40, counts: counts, generator: &generator)))
        let golden = Golden(bitstream: "latent-v2.rans", tensors: tensors)
        let bytes = LatentCoder.encode(try tensors.map { try $0.latentTensor() })
        try Data(bytes).write(to: Self.directory.appendingPathComponent(golden.bitstream), options: .atomic)
        try encoder.encode(golden).write(to: Self.directory.appendingPathComponent("latent-v2.json"), options: .atomic)
    }
}
