/// Context-conditional integer frequency tables for the quantized latent symbols of one tensor.
///
/// A latent symbol is predictable from the symbols decoded before it: its left and upper neighbours in
/// the same channel and the previous channel at the same position (symbols are laid out height, width,
/// channel). Each of the three is reduced to its offset from the alphabet's center, clamped to
/// `-2...2`; the three clamped offsets pick one of 125 contexts, and every channel has one table per
/// context. Neighbours outside the tensor count as the center. Contexts and tables use integers only, so
/// every machine selects the same table for every symbol and decodes bit-exactly.
///
/// The tables are normalized from raw counts exactly as ``SymbolModel``'s are (each row is a
/// ``SymbolModel`` channel), so the same escape rules apply: a value outside `0..<levels` is coded
/// through the escape symbol and comes back unchanged.
///
/// ```swift
/// let model = try ContextModel(counts: counts)   // C x 125 x L
/// let bytes = LatentCoder.encode([LatentTensor(symbols: s, width: w, model: .context(model))])
/// ```
public struct ContextModel: Sendable, Equatable {
    /// Contexts per channel: 5 clamped offsets of the left, upper and previous-channel neighbours.
    public static let contextCount = 125
    /// The clamp of a neighbour's offset from the center: `-offsetLimit...offsetLimit`.
    static let offsetLimit = 2

    /// The number of channels C.
    public let channelCount: Int
    /// The number of quantizer levels L.
    public var levels: Int { table.levels }
    /// The symbol that neighbours are measured from: `(levels - 1) / 2`.
    public var center: Int32 { Int32((levels - 1) / 2) }
    /// `channelCount * contextCount` rows: row `c * contextCount + context`.
    let table: SymbolModel

    /// Builds the model from raw counts: `counts[c][k][s]` is how often symbol `s` occurred in channel `c`
    /// under context `k` (see ``context(left:up:previousChannel:center:)``).
    ///
    /// Throws ``EntropyCodingError/invalidModel(_:)`` when a channel does not have exactly
    /// ``contextCount`` rows, or for the reasons ``SymbolModel/init(counts:precisionBits:)`` gives.
    public init(counts: [[[UInt32]]], precisionBits: Int = 15) throws {
        guard !counts.isEmpty else { throw EntropyCodingError.invalidModel("no channels") }
        if let channel = counts.firstIndex(where: { $0.count != Self.contextCount }) {
            throw EntropyCodingError.invalidModel(
                "channel \(channel) has \(counts[channel].count) contexts, \(Self.contextCount) expected")
        }
        self.table = try SymbolModel(counts: counts.flatMap { $0 }, precisionBits: precisionBits)
        self.channelCount = counts.count
    }

    /// The context of a symbol from its neighbours' values (`nil`: outside the tensor), `0..<125`.
    public static func context(left: Int32?, up: Int32?, previousChannel: Int32?, center: Int32) -> Int {
        25 * clampedOffset(left, center: center) + 5 * clampedOffset(up, center: center)
            + clampedOffset(previousChannel, center: center)
    }

    /// A neighbour's offset from the center, clamped and shifted to `0...4` (2: the center or absent).
    @inline(__always)
    static func clampedOffset(_ value: Int32?, center: Int32) -> Int {
        guard let value else { return offsetLimit }
        let offset = Int64(value) - Int64(center)
        return Int(min(max(offset, -Int64(offsetLimit)), Int64(offsetLimit))) + offsetLimit
    }

    /// The table row of every symbol of a tensor `width` positions wide (`symbols.count` a multiple of
    /// `channelCount * width`), in order.
    func rows(of symbols: UnsafeBufferPointer<Int32>, width: Int) -> [Int32] {
        let channels = channelCount
        let rowStride = width * channels
        var rows = [Int32](repeating: 0, count: symbols.count)
        let center = self.center
        for index in 0..<symbols.count {
            let channel = index % channels
            let column = (index / channels) % width
            let left = column > 0 ? Self.clampedOffset(symbols[index - channels], center: center) : Self.offsetLimit
            let up =
                index >= rowStride ? Self.clampedOffset(symbols[index - rowStride], center: center) : Self.offsetLimit
            let previous = channel > 0 ? Self.clampedOffset(symbols[index - 1], center: center) : Self.offsetLimit
            rows[index] = Int32(channel * Self.contextCount + 25 * left + 5 * up + previous)
        }
        return rows
    }

    public static func == (lhs: ContextModel, rhs: ContextModel) -> Bool {
        lhs.channelCount == rhs.channelCount && lhs.table == rhs.table
    }
}

/// How one tensor's symbols are modelled.
public enum LatentModel: Sendable, Equatable {
    /// One static table per channel (bitstream version 1).
    case perChannel(SymbolModel)
    /// One table per channel and neighbour context (bitstream version 2).
    case context(ContextModel)

    /// The number of channels C: symbol `i` of a tensor belongs to channel `i % C`.
    public var channelCount: Int {
        switch self {
        case .perChannel(let model): model.channelCount
        case .context(let model): model.channelCount
        }
    }
}

/// One tensor to code: its symbols (height, width, channel order), its width, and its model.
public struct LatentTensor: Sendable, Equatable {
    public var symbols: [Int32]
    /// Positions per row: a context model's upper neighbour is `width * channelCount` symbols back.
    public var width: Int
    public var model: LatentModel

    public init(symbols: [Int32], width: Int, model: LatentModel) {
        self.symbols = symbols
        self.width = width
        self.model = model
    }
}
