/// Static per-channel integer frequency tables for the quantized latent symbols of one tensor.
///
/// A model is built from raw symbol counts measured on the training set (one row of `levels` counts per
/// channel). Every channel's table has `levels + 1` entries: the symbols `0..<levels` and an escape symbol
/// that carries any other `Int32`. The tables are normalized with integer arithmetic only, so every
/// machine builds identical tables from identical counts and decodes bit-exactly.
///
/// ```swift
/// let model = try SymbolModel(counts: [[1, 10, 80, 500, 80, 10, 1]])  // one channel, 7 levels
/// let bytes = LatentCoder.encode([3, 3, 2, 4], model: model)
/// ```
public struct SymbolModel: Sendable, Equatable {
    /// Precision of the tables: every channel's frequencies sum to `1 << precisionBits`.
    public let precisionBits: Int
    /// The number of quantizer levels L: symbols `0..<levels` are in the table's alphabet.
    public let levels: Int
    /// The number of channels C; symbol `i` of a tensor belongs to channel `i % C`.
    public let channelCount: Int
    /// Normalized frequencies, `channelCount` rows of `levels + 1` (the last entry is the escape symbol).
    public let frequencies: [[UInt32]]

    /// Smallest and largest supported `precisionBits`.
    public static let precisionRange = 8...16
    /// Largest supported number of quantizer levels.
    public static let maximumLevels = 4095

    /// Flat tables for the coder: `frequencyTable[c * alphabetSize + s]` and
    /// `cumulativeTable[c * (alphabetSize + 1) + s]` (the sum of the frequencies below `s`).
    let frequencyTable: [UInt32]
    let cumulativeTable: [UInt32]
    /// Each row's most frequent symbol `m` (the first of equals) and its interval:
    /// `start | end << 20 | m << 40`, with `start` and `end` its cumulative frequencies. The decoder
    /// tries it before searching the row (see `RANSDecoder`).
    let modeTable: [UInt64]

    /// The size of each channel's alphabet, `levels + 1` (the escape symbol is `levels`).
    var alphabetSize: Int { levels + 1 }

    /// Builds the model from raw counts: `counts[c][s]` is how often symbol `s` occurred in channel `c`.
    ///
    /// Throws ``EntropyCodingError/invalidModel(_:)`` when there are no channels, the rows differ in
    /// length, a row has no levels or more than ``maximumLevels``, or the precision is outside
    /// ``precisionRange`` or too small for the alphabet.
    public init(counts: [[UInt32]], precisionBits: Int = 15) throws {
        guard Self.precisionRange.contains(precisionBits) else {
            throw EntropyCodingError.invalidModel(
                "precision \(precisionBits) bits is outside \(Self.precisionRange.lowerBound)...\(Self.precisionRange.upperBound)"
            )
        }
        guard let levels = counts.first?.count else {
            throw EntropyCodingError.invalidModel("no channels")
        }
        guard (1...Self.maximumLevels).contains(levels) else {
            throw EntropyCodingError.invalidModel("\(levels) levels (supported: 1...\(Self.maximumLevels))")
        }
        if let ragged = counts.firstIndex(where: { $0.count != levels }) {
            throw EntropyCodingError.invalidModel(
                "channel \(ragged) has \(counts[ragged].count) counts, channel 0 has \(levels)")
        }
        guard levels + 1 <= 1 << precisionBits else {
            throw EntropyCodingError.invalidModel(
                "\(levels) levels and the escape symbol do not fit a \(precisionBits)-bit table")
        }
        let frequencies = counts.map { Self.normalize($0, precisionBits: precisionBits) }
        self.precisionBits = precisionBits
        self.levels = levels
        self.channelCount = counts.count
        self.frequencies = frequencies

        var cumulative: [UInt32] = []
        cumulative.reserveCapacity(counts.count * (levels + 2))
        for row in frequencies {
            var sum: UInt32 = 0
            for frequency in row {
                cumulative.append(sum)
                sum += frequency
            }
            cumulative.append(sum)
        }
        self.frequencyTable = frequencies.flatMap { $0 }
        self.cumulativeTable = cumulative
        self.modeTable = frequencies.enumerated().map { row, frequencies in
            let mode = frequencies.indices.max {
                frequencies[$0] < frequencies[$1] || (frequencies[$0] == frequencies[$1] && $0 > $1)
            }!
            let base = row * (levels + 2)
            return UInt64(cumulative[base + mode]) | UInt64(cumulative[base + mode + 1]) << 20 | UInt64(mode) << 40
        }
    }

    public static func == (lhs: SymbolModel, rhs: SymbolModel) -> Bool {
        lhs.precisionBits == rhs.precisionBits && lhs.frequencies == rhs.frequencies
    }
}
