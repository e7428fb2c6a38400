import TestSupport
import Testing

@testable import EntropyCoding

@Suite struct SymbolModelTests {}

extension SymbolModelTests {
    @Test func everyTableSumsToThePrecisionWithNoZeroFrequency() throws {
        var generator = SeededGenerator(seed: 1)
        for precision in SymbolModel.precisionRange {
            for levels in [1, 2, 7, 31, 200] where levels + 1 <= 1 << precision {
                let counts = (0..<5).map { channel in
                    (0..<levels).map { _ in
                        channel == 0 ? 0 : UInt32.random(in: 0...UInt32.max, using: &generator) >> (channel * 6)
                    }
                }
                let model = try SymbolModel(counts: counts, precisionBits: precision)
                for row in model.frequencies {
                    #expect(row.count == levels + 1)
                    #expect(row.allSatisfy { $0 >= 1 })
                    #expect(row.reduce(0, +) == 1 << precision)
                }
            }
        }
    }

    @Test func frequenciesFollowTheCounts() throws {
        var generator = SeededGenerator(seed: 2)
        let counts = LatentSamples.counts(channels: 16, levels: 7, generator: &generator)
        let model = try SymbolModel(counts: counts, precisionBits: 15)
        let spare = Double((1 << 15) - 8)
        for (row, frequencies) in zip(counts, model.frequencies) {
            let total = Double(row.reduce(UInt64(0)) { $0 + UInt64($1) })
            for (count, frequency) in zip(row, frequencies) {
                // 1 guaranteed, plus the proportional share rounded down, plus at most 1 from the remainders.
                #expect(abs(Double(frequency) - 1 - Double(count) * spare / total) <= 1)
            }
            #expect(frequencies.last == 1)
        }
    }

    @Test func normalizationMatchesHandComputedTables() throws {
        // 2^8 = 256, three symbols plus escape: spare 253 shared 1:2 is 84 r1 and 168 r2; the left-over 1
        // goes to the larger remainder (symbol 1).
        #expect(try SymbolModel(counts: [[1, 2]], precisionBits: 8).frequencies == [[85, 170, 1]])
        // Equal remainders: the lower symbol gets the left-over.
        #expect(try SymbolModel(counts: [[1, 1]], precisionBits: 8).frequencies == [[128, 127, 1]])
        // Exact shares, a zero count keeps the minimum 1.
        #expect(try SymbolModel(counts: [[3, 1, 0]], precisionBits: 8).frequencies == [[190, 64, 1, 1]])
        // All-zero counts share evenly: (32768 - 8) / 7 = 4680 each.
        #expect(
            try SymbolModel(counts: [[0, 0, 0, 0, 0, 0, 0]]).frequencies == [
                [4681, 4681, 4681, 4681, 4681, 4681, 4681, 1]
            ])
    }

    @Test func invalidCountsOrPrecisionAreRejected() {
        let cases: [([[UInt32]], Int)] = [
            ([], 15),
            ([[]], 15),
            ([[1, 2, 3], [1, 2]], 15),
            ([[1, 2, 3]], 7),
            ([[1, 2, 3]], 17),
            ([[UInt32]](repeating: [UInt32](repeating: 1, count: 300), count: 1), 8),
            ([[UInt32]](repeating: [UInt32](repeating: 1, count: SymbolModel.maximumLevels + 1), count: 1), 16),
        ]
        for (counts, precision) in cases {
            #expect(throws: EntropyCodingError.self) { try SymbolModel(counts: counts, precisionBits: precision) }
        }
    }

    @Test func equalCountsGiveEqualModels() throws {
        let counts: [[UInt32]] = [[5, 9, 100, 9, 5], [1, 1, 1, 1, 1]]
        #expect(try SymbolModel(counts: counts) == SymbolModel(counts: counts))
        #expect(try SymbolModel(counts: counts) != SymbolModel(counts: counts, precisionBits: 14))
    }
}
