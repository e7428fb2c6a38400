import Foundation
import TestSupport
import Testing

@testable import EntropyCoding

/// The neighbour-context model (bitstream version 2): contexts as BITSTREAM.md defines them, round trips
/// with escapes and mixed models, the bits it saves on correlated latents, and corrupt input.
@Suite struct ContextModelTests {
    /// Latents with spatial and cross-channel correlation, like a learned codec's: a symbol repeats a
    /// neighbour's offset (left, up or previous channel) with probability 1/2, else is drawn around the
    /// center. HWC order, `levels` levels, the center `(levels - 1) / 2`.
    static func correlatedSymbols(
        height: Int, width: Int, channels: Int, levels: Int,
        generator: inout SeededGenerator
    ) -> [Int32] {
        let center = Int32((levels - 1) / 2)
        var symbols = [Int32](repeating: center, count: height * width * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    let index = (y * width + x) * channels + c
                    var value = center
                    switch Int.random(in: 0..<6, using: &generator) {
                    case 0 where x > 0: value = symbols[index - channels]
                    case 1 where y > 0: value = symbols[index - width * channels]
                    case 2 where c > 0: value = symbols[index - 1]
                    default:
                        let spread = Int32(1 + c % 3)
                        value =
                            center + Int32.random(in: -spread...spread, using: &generator)
                            / (Bool.random(using: &generator) ? 1 : 2)
                    }
                    symbols[index] = min(max(value, 0), Int32(levels - 1))
                }
            }
        }
        return symbols
    }

    /// Counts by context, computed the plain way (with the public context function), `C x 125 x L`.
    static func contextCounts(_ symbols: [Int32], width: Int, channels: Int, levels: Int) -> [[[UInt32]]] {
        var counts = [[[UInt32]]](
            repeating: [[UInt32]](
                repeating: [UInt32](repeating: 0, count: levels),
                count: ContextModel.contextCount), count: channels)
        let center = Int32((levels - 1) / 2)
        for (index, value) in symbols.enumerated() where (0..<Int32(levels)).contains(value) {
            let c = index % channels
            let x = (index / channels) % width
            let context = ContextModel.context(
                left: x > 0 ? symbols[index - channels] : nil,
                up: index >= width * channels ? symbols[index - width * channels] : nil,
                previousChannel: c > 0 ? symbols[index - 1] : nil, center: center)
            counts[c][context][Int(value)] += 1
        }
        return counts
    }

    static func perChannelCounts(_ symbols: [Int32], channels: Int, levels: Int) -> [[UInt32]] {
        var counts = [[UInt32]](repeating: [UInt32](repeating: 0, count: levels), count: channels)
        for (index, value) in symbols.enumerated() where (0..<Int32(levels)).contains(value) {
            counts[index % channels][Int(value)] += 1
        }
        return counts
    }
}

extension ContextModelTests {
    @Test func contextsFollowTheClampedOffsetsOfTheThreeNeighbours() {
        // 25 * left + 5 * up + previous channel, each offset from the center clamped to -2...2, +2.
        #expect(ContextModel.context(left: nil, up: nil, previousChannel: nil, center: 15) == 62)
        #expect(ContextModel.context(left: 15, up: 15, previousChannel: 15, center: 15) == 62)
        #expect(ContextModel.context(left: 0, up: 30, previousChannel: 14, center: 15) == 0 + 20 + 1)
        #expect(ContextModel.context(left: 17, up: 13, previousChannel: .max, center: 15) == 100 + 0 + 4)
        #expect(ContextModel.context(left: .min, up: 16, previousChannel: -1, center: 15) == 0 + 15 + 0)
    }

    @Test func theEncodersRowsAreTheContextsOfEverySymbol() throws {
        var generator = SeededGenerator(seed: 7)
        let (height, width, channels, levels) = (5, 7, 3, 9)
        let symbols = Self.correlatedSymbols(
            height: height, width: width, channels: channels, levels: levels, generator: &generator)
        let model = try ContextModel(
            counts: Self.contextCounts(symbols, width: width, channels: channels, levels: levels))
        let rows = symbols.withUnsafeBufferPointer { model.rows(of: $0, width: width) }
        for (index, row) in rows.enumerated() {
            let c = index % channels
            let x = (index / channels) % width
            let context = ContextModel.context(
                left: x > 0 ? symbols[index - channels] : nil,
                up: index >= width * channels ? symbols[index - width * channels] : nil,
                previousChannel: c > 0 ? symbols[index - 1] : nil, center: 4)
            #expect(Int(row) == c * ContextModel.contextCount + context)
        }
    }

    @Test(arguments: [(1, 1, 1, 7), (12, 40, 32, 31), (7, 9, 4, 3), (3, 64, 2, 301)])
    func correlatedLatentsRoundTrip(height: Int, width: Int, channels: Int, levels: Int) throws {
        var generator = SeededGenerator(seed: UInt64(height * 100 + width))
        let symbols = Self.correlatedSymbols(
            height: height, width: width, channels: channels, levels: levels, generator: &generator)
        let model = try ContextModel(
            counts: Self.contextCounts(symbols, width: width, channels: channels, levels: levels))
        let bytes = LatentCoder.encode([LatentTensor(symbols: symbols, width: width, model: .context(model))])
        #expect(try LatentCoder.decode(bytes, tensors: [(symbols.count, width, .context(model))]) == [symbols])
    }

    @Test func escapesAndMixedModelsShareOneBitstream() throws {
        var generator = SeededGenerator(seed: 11)
        let (height, width, channels, levels) = (6, 10, 4, 31)
        var a = Self.correlatedSymbols(
            height: height, width: width, channels: channels, levels: levels, generator: &generator)
        let contextModel = try ContextModel(
            counts: Self.contextCounts(a, width: width, channels: channels, levels: levels))
        // Escaped values, also as neighbours of what follows (their clamped offsets pick contexts).
        for (offset, value) in [Int32.min, -1, 31, 32, 65_536, .max].enumerated() {
            a[offset * 37 + 5] = value
        }
        let b = LatentSamples.symbols(
            count: 8 * 30, counts: Self.perChannelCounts(a, channels: 8, levels: levels), generator: &generator)
        let perChannel = try SymbolModel(counts: Self.perChannelCounts(b, channels: 8, levels: levels))
        let tensors = [
            LatentTensor(symbols: a, width: width, model: .context(contextModel)),
            LatentTensor(symbols: [], width: 3, model: .context(contextModel)),
            LatentTensor(symbols: b, width: 5, model: .perChannel(perChannel)),
        ]
        let bytes = LatentCoder.encode(tensors)
        let requests = tensors.map { (count: $0.symbols.count, width: $0.width, model: $0.model) }
        #expect(try LatentCoder.decode(bytes, tensors: requests) == tensors.map(\.symbols))
        // The per-channel path of the new entry point writes exactly the version 1 stream.
        #expect(LatentCoder.encode([tensors[2]]) == LatentCoder.encode(b, model: perChannel))
    }

    @Test func contextsSaveBitsOnCorrelatedLatentsAndTheCoderReachesTheIdealSize() throws {
        var generator = SeededGenerator(seed: 12)
        let (height, width, channels, levels) = (32, 48, 8, 31)
        let symbols = Self.correlatedSymbols(
            height: height, width: width, channels: channels, levels: levels, generator: &generator)
        let contextModel = try ContextModel(
            counts: Self.contextCounts(symbols, width: width, channels: channels, levels: levels))
        let perChannel = try SymbolModel(counts: Self.perChannelCounts(symbols, channels: channels, levels: levels))
        let withContext = LatentCoder.encode([
            LatentTensor(symbols: symbols, width: width, model: .context(contextModel))
        ]).count
        let without = LatentCoder.encode(symbols, model: perChannel).count
        #expect(Double(withContext) < 0.9 * Double(without), "context \(withContext) B, per channel \(without) B")

        // The ideal size under the normalized tables, from first principles.
        let rows = symbols.withUnsafeBufferPointer { contextModel.rows(of: $0, width: width) }
        let table = contextModel.table
        var idealBits = 0.0
        for (value, row) in zip(symbols, rows) {
            idealBits += Double(table.precisionBits) - log2(Double(table.frequencies[Int(row)][Int(value)]))
        }
        #expect(abs(Double(withContext) - idealBits / 8) < 0.01 * idealBits / 8 + 8)
    }

    @Test func everyTruncationAndArbitraryBytesFailCleanly() throws {
        var generator = SeededGenerator(seed: 13)
        let symbols = Self.correlatedSymbols(height: 8, width: 12, channels: 3, levels: 7, generator: &generator)
        let model = try ContextModel(counts: Self.contextCounts(symbols, width: 12, channels: 3, levels: 7))
        let bytes = LatentCoder.encode([LatentTensor(symbols: symbols, width: 12, model: .context(model))])
        for length in 0..<bytes.count {
            #expect(throws: EntropyCodingError.self) {
                try LatentCoder.decode(Array(bytes[..<length]), tensors: [(symbols.count, 12, .context(model))])
            }
        }
        #expect(throws: EntropyCodingError.self) {
            try LatentCoder.decode(bytes + [0], tensors: [(symbols.count, 12, .context(model))])
        }
        for _ in 0..<200 {
            let noise = (0..<Int.random(in: 0...64, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            _ = try? LatentCoder.decode(noise, tensors: [(symbols.count, 12, .context(model))])
        }
    }

    @Test func impossibleRequestsAndModelsAreRefused() throws {
        let row = [UInt32](repeating: 1, count: 5)
        #expect(throws: EntropyCodingError.invalidModel("channel 1 has 124 contexts, 125 expected")) {
            try ContextModel(counts: [Array(repeating: row, count: 125), Array(repeating: row, count: 124)])
        }
        #expect(throws: EntropyCodingError.invalidModel("no channels")) { try ContextModel(counts: []) }
        let model = try ContextModel(counts: [Array(repeating: row, count: 125), Array(repeating: row, count: 125)])
        #expect(throws: EntropyCodingError.self) {
            try LatentCoder.decode([0, 0, 0x80, 0], tensors: [(7, 2, .context(model))])
        }
        #expect(throws: EntropyCodingError.self) {
            try LatentCoder.decode([0, 0, 0x80, 0], tensors: [(4, 0, .context(model))])
        }
        #expect(throws: EntropyCodingError.self) {
            try LatentCoder.decode([0, 0, 0x80, 0], tensors: [(-2, 1, .context(model))])
        }
    }
}
