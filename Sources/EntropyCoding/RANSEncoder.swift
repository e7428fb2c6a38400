/// Encodes symbols in reverse order (rANS is last in, first out), collecting the output bytes in reverse.
struct RANSEncoder {
    private var state: UInt32 = RANS.lowerBound
    private var reversedBytes: [UInt8] = []

    init(expectedSymbols: Int) {
        reversedBytes.reserveCapacity(expectedSymbols / 2 + 16)
    }

    /// Codes an interval `start..<start + frequency` of a `1 << scaleBits` total.
    @inline(__always)
    private mutating func put(start: UInt32, frequency: UInt32, scaleBits: Int) {
        let limit = frequency << UInt32(31 - scaleBits)
        var x = state
        while x >= limit {
            reversedBytes.append(UInt8(truncatingIfNeeded: x))
            x >>= 8
        }
        state = ((x / frequency) << UInt32(scaleBits)) &+ (x % frequency) &+ start
    }

    /// Codes the low `bits` bits of `value` with a uniform distribution.
    @inline(__always)
    private mutating func putBits(_ value: UInt32, bits: Int) {
        if bits > 0 {
            put(start: value & ((1 << UInt32(bits)) - 1), frequency: 1, scaleBits: bits)
        }
    }

    /// Codes an escaped value's payload; the decoder reads it right after the escape symbol.
    private mutating func putEscapePayload(_ value: Int32, levels: Int) {
        let word = UInt64(EscapePayload.distance(of: value, levels: levels)) + 1
        let length = 63 - word.leadingZeroBitCount
        let rest = word - (1 << UInt64(length))
        if length > RANS.maximumBypassBits {
            putBits(UInt32(truncatingIfNeeded: rest), bits: RANS.maximumBypassBits)
            putBits(
                UInt32(truncatingIfNeeded: rest >> UInt64(RANS.maximumBypassBits)),
                bits: length - RANS.maximumBypassBits)
        } else {
            putBits(UInt32(truncatingIfNeeded: rest), bits: length)
        }
        putBits(UInt32(length), bits: RANS.escapeLengthBits)
    }

    /// Codes one value with table row `row` (a channel, or a channel's context) of the flat tables; a
    /// value outside the alphabet goes through the escape symbol, its payload coded first.
    @inline(__always)
    private mutating func putSymbol(
        _ value: Int32, row: Int, levels: Int, alphabetSize: Int, scaleBits: Int,
        frequencies: UnsafeBufferPointer<UInt32>, cumulative: UnsafeBufferPointer<UInt32>
    ) {
        var symbol = Int(value)
        if value < 0 || symbol >= levels {
            putEscapePayload(value, levels: levels)
            symbol = levels
        }
        put(
            start: cumulative[row &* (alphabetSize &+ 1) &+ symbol],
            frequency: frequencies[row &* alphabetSize &+ symbol],
            scaleBits: scaleBits)
    }

    /// Codes one tensor; tensors must be given last to first.
    mutating func encode(_ symbols: [Int32], model: SymbolModel) {
        guard !symbols.isEmpty else { return }
        let levels = model.levels
        let alphabetSize = model.alphabetSize
        let channels = model.channelCount
        let scaleBits = model.precisionBits
        symbols.withUnsafeBufferPointer { symbols in
            model.frequencyTable.withUnsafeBufferPointer { frequencies in
                model.cumulativeTable.withUnsafeBufferPointer { cumulative in
                    var channel = (symbols.count - 1) % channels
                    var index = symbols.count - 1
                    while index >= 0 {
                        putSymbol(
                            symbols[index], row: channel, levels: levels, alphabetSize: alphabetSize,
                            scaleBits: scaleBits, frequencies: frequencies, cumulative: cumulative)
                        channel = channel == 0 ? channels - 1 : channel - 1
                        index -= 1
                    }
                }
            }
        }
    }

    /// Codes one tensor whose symbol `i` uses table row `rows[i]` of `model` (a context model's rows);
    /// tensors must be given last to first.
    mutating func encode(_ symbols: [Int32], rows: [Int32], model: SymbolModel) {
        precondition(rows.count == symbols.count)
        let levels = model.levels
        let alphabetSize = model.alphabetSize
        let scaleBits = model.precisionBits
        symbols.withUnsafeBufferPointer { symbols in
            rows.withUnsafeBufferPointer { rows in
                model.frequencyTable.withUnsafeBufferPointer { frequencies in
                    model.cumulativeTable.withUnsafeBufferPointer { cumulative in
                        var index = symbols.count - 1
                        while index >= 0 {
                            putSymbol(
                                symbols[index], row: Int(rows[index]), levels: levels, alphabetSize: alphabetSize,
                                scaleBits: scaleBits, frequencies: frequencies, cumulative: cumulative)
                            index -= 1
                        }
                    }
                }
            }
        }
    }

    /// The finished stream: the final state (four bytes, little-endian), then the renormalization bytes.
    consuming func finish() -> [UInt8] {
        var bytes = reversedBytes
        for shift in [24, 16, 8, 0] as [UInt32] {
            bytes.append(UInt8(truncatingIfNeeded: state >> shift))
        }
        bytes.reverse()
        return bytes
    }
}
