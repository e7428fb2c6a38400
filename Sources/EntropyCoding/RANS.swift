/// Parameters of the byte-wise rANS coder (32-bit state, one byte per renormalization step).
///
/// The state stays in `lowerBound..<(lowerBound << 8)` between symbols. The encoder starts at
/// `lowerBound` and ends by writing its state as four little-endian bytes in front of the stream; the
/// decoder starts from those bytes and must end at exactly `lowerBound` with every byte consumed.
enum RANS {
    static let lowerBound: UInt32 = 1 << 23
    /// Bits of the uniform field that gives an escaped value's bit length (0...32).
    static let escapeLengthBits = 6
    /// Widest uniform field coded in one step.
    static let maximumBypassBits = 16
}

/// An escaped symbol (outside `0..<levels`) as a non-negative distance: values above the alphabet map
/// to even numbers, values below 0 to odd ones. The payload is `distance + 1` in Elias-gamma form: its bit
/// length n (6 bits), then its n bits below the leading one (at most 16 per step, high part first).
enum EscapePayload {
    static func distance(of value: Int32, levels: Int) -> UInt32 {
        if value >= 0 {
            UInt32(Int(value) - levels) &* 2
        } else {
            UInt32(bitPattern: ~value) &* 2 &+ 1
        }
    }

    /// The value at `distance`, or nil when it does not fit an `Int32`.
    static func value(atDistance distance: UInt64, levels: Int) -> Int32? {
        if distance & 1 == 0 {
            let value = Int64(levels) + Int64(distance >> 1)
            return value <= Int64(Int32.max) ? Int32(value) : nil
        }
        let value = -Int64(distance >> 1) - 1
        return value >= Int64(Int32.min) ? Int32(value) : nil
    }
}
