import TestSupport

@testable import EntropyCoding

/// Synthetic latents shaped like a learned codec's: per channel, a peaked distribution over the L levels
/// centred on the middle level, with a channel-dependent spread. Integer arithmetic only.
enum LatentSamples {
    /// Training-set-like counts: `channels` rows of `levels` counts.
    static func counts(channels: Int, levels: Int, generator: inout SeededGenerator) -> [[UInt32]] {
        (0..<channels).map { _ in
            let spread = UInt64.random(in: 1...6, using: &generator)
            let centre = levels / 2
            return (0..<levels).map { symbol in
                let distance = UInt64(abs(symbol - centre))
                let base = UInt64(1_000_000) >> min(63, distance * 8 / spread)
                return UInt32(base + UInt64.random(in: 0...50, using: &generator))
            }
        }
    }

    /// `count` symbols (HWC) drawn from `counts`, channel `i % C` for symbol `i`.
    static func symbols(count: Int, counts: [[UInt32]], generator: inout SeededGenerator) -> [Int32] {
        let totals = counts.map { $0.reduce(UInt64(0)) { $0 + UInt64($1) } }
        return (0..<count).map { index in
            let channel = index % counts.count
            var draw = UInt64.random(in: 0..<totals[channel], using: &generator)
            for (symbol, count) in counts[channel].enumerated() {
                if draw < UInt64(count) { return Int32(symbol) }
                draw -= UInt64(count)
            }
            return Int32(counts[channel].count - 1)
        }
    }
}
