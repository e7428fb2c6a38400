import Foundation
import TestSupport
import Testing

@testable import EntropyCoding

/// Throughput of the coder on frame-sized latents. Prints numbers, asserts nothing about time; runs only
/// when asked: `OCTARC_BENCHMARK=1 swift test -c release --filter EntropyCodingBenchmark`.
@Suite struct EntropyCodingBenchmark {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["OCTARC_BENCHMARK"] == "1"))
    func throughput() throws {
        var generator = SeededGenerator(seed: 8)
        let counts = LatentSamples.counts(channels: 32, levels: 7, generator: &generator)
        let model = try SymbolModel(counts: counts)
        let symbols = LatentSamples.symbols(count: 100_000, counts: counts, generator: &generator)
        let repeats = 50
        let clock = ContinuousClock()
        var bytes: [UInt8] = []
        let encodeTime = clock.measure {
            for _ in 0..<repeats { bytes = LatentCoder.encode(symbols, model: model) }
        }
        var decoded: [Int32] = []
        let decodeTime = try clock.measure {
            for _ in 0..<repeats { decoded = try LatentCoder.decode(bytes, count: symbols.count, model: model) }
        }
        #expect(decoded == symbols)
        func rate(_ duration: Duration) -> String {
            let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
            let symbolsPerSecond = Double(repeats * symbols.count) / seconds
            return String(
                format: "%.1f M symbols/s (%.1f MB/s of Int32 symbols)", symbolsPerSecond / 1e6,
                symbolsPerSecond * 4 / 1e6)
        }
        print(
            "entropy coder, 100k symbols x \(repeats), 32 channels, L = 7: encode \(rate(encodeTime)), decode \(rate(decodeTime)), \(String(format: "%.3f", Double(bytes.count * 8) / Double(symbols.count))) bits/symbol"
        )
    }
}
