/// Decodes a stream written by ``RANSEncoder``, checking every read against the end of the input.
struct RANSDecoder: ~Copyable {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var position: Int
    private var state: UInt32
    /// Symbols decoded so far over all tensors, for error messages.
    private var decodedCount = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) throws(EntropyCodingError) {
        guard bytes.count >= 4 else { throw .truncated(symbolIndex: 0) }
        let state = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        guard state >= RANS.lowerBound && state < RANS.lowerBound << 8 else {
            throw .corrupt("initial state \(state) is outside the coder's range")
        }
        self.bytes = bytes
        self.position = 4
        self.state = state
    }

    @inline(__always)
    private mutating func renormalize() throws(EntropyCodingError) {
        while state < RANS.lowerBound {
            guard position < bytes.count else { throw .truncated(symbolIndex: decodedCount) }
            state = (state << 8) | UInt32(bytes[position])
            position += 1
        }
    }

    /// Reads `bits` bits coded with a uniform distribution.
    @inline(__always)
    private mutating func getBits(_ bits: Int) throws(EntropyCodingError) -> UInt32 {
        guard bits > 0 else { return 0 }
        let value = state & ((1 << UInt32(bits)) - 1)
        state >>= UInt32(bits)
        try renormalize()
        return value
    }

    private mutating func getEscapedValue(levels: Int) throws(EntropyCodingError) -> Int32 {
        let length = Int(try getBits(RANS.escapeLengthBits))
        guard length <= 32 else {
            throw .corrupt("escape at symbol \(decodedCount) has a \(length)-bit payload (at most 32)")
        }
        var rest: UInt64
        if length > RANS.maximumBypassBits {
            rest = UInt64(try getBits(length - RANS.maximumBypassBits)) << UInt64(RANS.maximumBypassBits)
            rest |= UInt64(try getBits(RANS.maximumBypassBits))
        } else {
            rest = UInt64(try getBits(length))
        }
        let distance = ((1 << UInt64(length)) | rest) - 1
        guard let value = EscapePayload.value(atDistance: distance, levels: levels) else {
            throw .corrupt("escape at symbol \(decodedCount) does not fit a 32-bit integer")
        }
        return value
    }

    /// Decodes one symbol with table row `row` (a channel, or a channel's context) of the flat tables:
    /// finds the interval holding the state's slot, advances the state, and reads an escape's payload.
    @inline(__always)
    private mutating func decodeSymbol(
        row: Int, levels: Int, alphabetSize: Int, scaleBits: UInt32, mask: UInt32,
        linearSearch: Bool, frequencies: UnsafeBufferPointer<UInt32>,
        cumulative: UnsafeBufferPointer<UInt32>, modes: UnsafeBufferPointer<UInt64>
    ) throws(EntropyCodingError) -> Int32 {
        let cumulativeBase = row &* (alphabetSize &+ 1)
        let slot = state & mask
        var symbol = 0
        // Most slots fall in the row's most frequent symbol (latents are mostly at the centre): one
        // load and two comparisons find it, where the search below chains several dependent loads.
        // The interval holding the slot is unique, so both paths give the same symbol.
        let mode = modes[row]
        if UInt64(slot) &- (mode & 0xFFFFF) < ((mode >> 20) & 0xFFFFF) &- (mode & 0xFFFFF) {
            symbol = Int(truncatingIfNeeded: mode >> 40)
        } else if linearSearch {
            while cumulative[cumulativeBase &+ symbol &+ 1] <= slot { symbol &+= 1 }
        } else {
            // The last symbol whose interval starts at or below the slot, without a branch on the
            // comparisons (their outcomes are the coded data: a predictor guesses half of them wrong).
            // The symbol lies in symbol ..< symbol + remaining throughout.
            var remaining = alphabetSize
            while remaining > 1 {
                let half = remaining >> 1
                symbol = cumulative[cumulativeBase &+ symbol &+ half] <= slot ? symbol &+ half : symbol
                remaining &-= half
            }
        }
        let start = cumulative[cumulativeBase &+ symbol]
        let frequency = frequencies[row &* alphabetSize &+ symbol]
        state = frequency &* (state >> scaleBits) &+ (slot &- start)
        try renormalize()
        let value = symbol == levels ? try getEscapedValue(levels: levels) : Int32(truncatingIfNeeded: symbol)
        decodedCount &+= 1
        return value
    }

    /// Decodes `count` symbols of one tensor.
    mutating func decode(count: Int, model: SymbolModel) throws(EntropyCodingError) -> [Int32] {
        guard count > 0 else { return [] }
        let levels = model.levels
        let alphabetSize = model.alphabetSize
        let channels = model.channelCount
        let scaleBits = UInt32(model.precisionBits)
        let mask: UInt32 = (1 << scaleBits) - 1
        let linearSearch = alphabetSize <= 16
        var output = [Int32](repeating: 0, count: count)
        try output.withUnsafeMutableBufferPointer { output throws(EntropyCodingError) in
            try model.frequencyTable.withUnsafeBufferPointer { frequencies throws(EntropyCodingError) in
                try model.cumulativeTable.withUnsafeBufferPointer { cumulative throws(EntropyCodingError) in
                    try model.modeTable.withUnsafeBufferPointer { modes throws(EntropyCodingError) in
                        var channel = 0
                        for index in 0..<count {
                            output[index] = try decodeSymbol(
                                row: channel, levels: levels, alphabetSize: alphabetSize, scaleBits: scaleBits,
                                mask: mask,
                                linearSearch: linearSearch, frequencies: frequencies, cumulative: cumulative,
                                modes: modes)
                            channel = channel == channels - 1 ? 0 : channel + 1
                        }
                    }
                }
            }
        }
        return output
    }

    /// Decodes `count` symbols of one tensor `width` positions wide coded with a context model: each
    /// symbol's table row follows from the symbols decoded before it.
    mutating func decode(count: Int, width: Int, model: ContextModel) throws(EntropyCodingError) -> [Int32] {
        guard count > 0 else { return [] }
        let table = model.table
        let levels = table.levels
        let alphabetSize = table.alphabetSize
        let channels = model.channelCount
        let rowStride = width &* channels
        let center = Int64(model.center)
        let limit = Int64(ContextModel.offsetLimit)
        let scaleBits = UInt32(table.precisionBits)
        let mask: UInt32 = (1 << scaleBits) - 1
        let linearSearch = alphabetSize <= 16
        // Clamped offsets (0...4) of the symbols decoded so far: what the contexts are made of.
        var offsets = [UInt8](repeating: UInt8(limit), count: count)
        var output = [Int32](repeating: 0, count: count)
        try output.withUnsafeMutableBufferPointer { output throws(EntropyCodingError) in
            try offsets.withUnsafeMutableBufferPointer { offsets throws(EntropyCodingError) in
                try table.frequencyTable.withUnsafeBufferPointer { frequencies throws(EntropyCodingError) in
                    try table.cumulativeTable.withUnsafeBufferPointer { cumulative throws(EntropyCodingError) in
                        try table.modeTable.withUnsafeBufferPointer { modes throws(EntropyCodingError) in
                            var channel = 0
                            var column = 0
                            for index in 0..<count {
                                let left = column > 0 ? Int(offsets[index &- channels]) : Int(limit)
                                let up = index >= rowStride ? Int(offsets[index &- rowStride]) : Int(limit)
                                let previous = channel > 0 ? Int(offsets[index &- 1]) : Int(limit)
                                let row = channel &* ContextModel.contextCount &+ 25 &* left &+ 5 &* up &+ previous
                                let value = try decodeSymbol(
                                    row: row, levels: levels, alphabetSize: alphabetSize, scaleBits: scaleBits,
                                    mask: mask,
                                    linearSearch: linearSearch, frequencies: frequencies, cumulative: cumulative,
                                    modes: modes)
                                output[index] = value
                                offsets[index] = UInt8(
                                    truncatingIfNeeded: min(max(Int64(value) &- center, -limit), limit) &+ limit)
                                channel &+= 1
                                if channel == channels {
                                    channel = 0
                                    column &+= 1
                                    if column == width { column = 0 }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Checks that the stream ended where the encoder started: the initial state and no bytes left.
    consuming func finish() throws(EntropyCodingError) {
        guard state == RANS.lowerBound else {
            throw .corrupt("the final state \(state) is not the encoder's initial state")
        }
        guard position == bytes.count else {
            throw .corrupt("\(bytes.count - position) bytes follow the last symbol")
        }
    }
}
