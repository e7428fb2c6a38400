import Foundation
import TestSupport
import Testing

@testable import EntropyCoding

@Suite struct LatentCoderTests {}

extension LatentCoderTests {
    @Test(arguments: [
        (1, 7, 15, 1), (32, 7, 15, 16 * 24 * 32), (8, 7, 12, 5000), (3, 2, 8, 999),
        (4, 1, 10, 100), (2, 40, 16, 4000), (5, 300, 14, 3000),
    ])
    func symbolsDrawnFromTheModelRoundTrip(channels: Int, levels: Int, precision: Int, count: Int) throws {
        var generator = SeededGenerator(seed: UInt64(channels * 1000 + levels))
        let counts = LatentSamples.counts(channels: channels, levels: levels, generator: &generator)
        let model = try SymbolModel(counts: counts, precisionBits: precision)
        let symbols = LatentSamples.symbols(count: count, counts: counts, generator: &generator)
        let bytes = LatentCoder.encode(symbols, model: model)
        #expect(try LatentCoder.decode(bytes, count: count, model: model) == symbols)
    }

    @Test func anyInt32ComesBackThroughTheEscapePath() throws {
        let model = try SymbolModel(counts: [[1, 5, 20, 100, 20, 5, 1], [0, 0, 0, 1, 0, 0, 0]])
        let extremes: [Int32] = [
            .min, .min + 1, -65537, -65536, -65535, -2, -1, 7, 8, 9, 65535, 65536,
            65537, 1 << 20, .max - 7, .max - 1, .max,
        ]
        var symbols: [Int32] = []
        for (index, value) in extremes.enumerated() {
            symbols += [3, value, Int32(index % 7), 0, 6]
        }
        let bytes = LatentCoder.encode(symbols, model: model)
        #expect(try LatentCoder.decode(bytes, count: symbols.count, model: model) == symbols)

        var generator = SeededGenerator(seed: 3)
        let random = (0..<20_000).map { _ in
            Int32.random(in: .min ... .max, using: &generator) >> Int32.random(in: 0...31, using: &generator)
        }
        let single = try SymbolModel(counts: [[7]])
        #expect(
            try LatentCoder.decode(LatentCoder.encode(random, model: single), count: random.count, model: single)
                == random)
    }

    @Test func severalTensorsShareOneBitstream() throws {
        var generator = SeededGenerator(seed: 4)
        let countsA = LatentSamples.counts(channels: 32, levels: 7, generator: &generator)
        let countsB = LatentSamples.counts(channels: 8, levels: 7, generator: &generator)
        let modelA = try SymbolModel(counts: countsA)
        let modelB = try SymbolModel(counts: countsB)
        let a = LatentSamples.symbols(count: 32 * 60, counts: countsA, generator: &generator)
        let b = LatentSamples.symbols(count: 8 * 240, counts: countsB, generator: &generator) + [-4, 99]
        let bytes = LatentCoder.encode([
            (symbols: a, model: modelA), (symbols: [], model: modelA), (symbols: b, model: modelB),
        ])
        let decoded = try LatentCoder.decode(
            bytes,
            tensors: [
                (count: a.count, model: modelA),
                (count: 0, model: modelA),
                (count: b.count, model: modelB),
            ])
        #expect(decoded == [a, [], b])
        #expect(throws: EntropyCodingError.self) {
            try LatentCoder.decode(
                bytes, tensors: [(count: a.count, model: modelA), (count: b.count - 1, model: modelB)])
        }
        #expect(throws: EntropyCodingError.self) {
            try LatentCoder.decode(
                bytes, tensors: [(count: a.count, model: modelA), (count: b.count + 1, model: modelB)])
        }
    }

    @Test func anEmptyTensorIsTheFourByteInitialState() throws {
        let model = try SymbolModel(counts: [[1, 2, 3]])
        let bytes = LatentCoder.encode([], model: model)
        #expect(bytes == [0, 0, 0x80, 0])
        #expect(try LatentCoder.decode(bytes, count: 0, model: model) == [])
        #expect(throws: EntropyCodingError.truncated(symbolIndex: 0)) {
            try LatentCoder.decode([], count: 0, model: model)
        }
        #expect(throws: EntropyCodingError.invalidRequest("tensor 0 has a negative symbol count")) {
            try LatentCoder.decode(bytes, count: -1, model: model)
        }
    }

    @Test func everyTruncationAndEveryExtraByteIsAnError() throws {
        var generator = SeededGenerator(seed: 5)
        let counts = LatentSamples.counts(channels: 4, levels: 7, generator: &generator)
        let model = try SymbolModel(counts: counts)
        let symbols = LatentSamples.symbols(count: 600, counts: counts, generator: &generator) + [-1, 1000, 7]
        let bytes = LatentCoder.encode(symbols, model: model)
        for length in 0..<bytes.count {
            #expect(throws: EntropyCodingError.self) {
                try LatentCoder.decode(Array(bytes.prefix(length)), count: symbols.count, model: model)
            }
        }
        #expect(throws: EntropyCodingError.corrupt("1 bytes follow the last symbol")) {
            try LatentCoder.decode(bytes + [0], count: symbols.count, model: model)
        }
    }

    @Test func arbitraryBytesDecodeOrFailWithoutCrashing() throws {
        var generator = SeededGenerator(seed: 6)
        let counts = LatentSamples.counts(channels: 3, levels: 7, generator: &generator)
        let models = [
            try SymbolModel(counts: counts), try SymbolModel(counts: [[1]], precisionBits: 8),
            try SymbolModel(
                counts: [[UInt32]](
                    repeating: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20], count: 2)),
        ]
        for trial in 0..<3000 {
            let length = Int.random(in: 0...64, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if trial % 2 == 0 && length >= 4 { bytes[3] = 0x40 }  // a state in range, so decoding gets going
            let count = Int.random(in: 0...200, using: &generator)
            let model = models[trial % models.count]
            if let decoded = try? LatentCoder.decode(bytes, count: count, model: model) {
                #expect(decoded.count == count)
                #expect(LatentCoder.encode(decoded, model: model) == bytes)
            }
        }
    }

    @Test func codedSizeIsCloseToTheModelsIdealSize() throws {
        var generator = SeededGenerator(seed: 7)
        let counts = LatentSamples.counts(channels: 32, levels: 7, generator: &generator)
        let model = try SymbolModel(counts: counts)
        let symbols = LatentSamples.symbols(count: 100_000, counts: counts, generator: &generator)
        let codedBits = Double(LatentCoder.encode(symbols, model: model).count * 8)
        let ideal = Self.idealBits(symbols, model: model)
        #expect(codedBits < ideal * 1.002 + 64)
        #expect(codedBits > ideal - 64)
        // Better than fixed-length coding at log2(7) bits a symbol, the paper's measure.
        #expect(codedBits < Double(symbols.count) * log2(7))
    }

    @Test func theIdealSizeCountsEscapes() throws {
        let model = try SymbolModel(counts: [[1, 1, 1, 1]])
        // Frequencies 8192, 8192, 8192, 8191 and escape 1 of 2^15: symbols 0...2 cost 2 bits, symbol 3
        // 15 - log2(8191); the escapes cost 15 bits plus 6 + 0 (value 4) and 6 + 1 (value -1).
        #expect(try SymbolModel(counts: [[1, 1, 1, 1]]).frequencies == [[8192, 8192, 8192, 8191, 1]])
        #expect(
            abs(Self.idealBits([0, 1, 2, 3, 4, -1], model: model) - (3 * 2 + (15 - log2(8191.0)) + 21 + 22)) < 1e-9)
        #expect(Self.idealBits([], model: model) == 0)
    }

    /// The ideal code length in bits of `symbols` under `model` (no coder overhead): -log2 of each
    /// symbol's frequency over 2^precision, plus the escape payloads.
    static func idealBits(_ symbols: [Int32], model: SymbolModel) -> Double {
        let scale = Double(model.precisionBits)
        let costs = model.frequencyTable.map { scale - log2(Double($0)) }
        var bits = 0.0
        for (index, value) in symbols.enumerated() {
            let channel = index % model.channelCount
            if value >= 0 && Int(value) < model.levels {
                bits += costs[channel * model.alphabetSize + Int(value)]
            } else {
                let word = UInt64(EscapePayload.distance(of: value, levels: model.levels)) + 1
                bits +=
                    costs[channel * model.alphabetSize + model.levels]
                    + Double(RANS.escapeLengthBits + 63 - word.leadingZeroBitCount)
            }
        }
        return bits
    }
}
