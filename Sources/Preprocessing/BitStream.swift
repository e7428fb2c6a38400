/// Bit-level writing of unsigned and signed Exp-Golomb codes (order 0), most significant bit first.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var used = 8

    mutating func write(bit: Bool) {
        if used == 8 {
            bytes.append(0)
            used = 0
        }
        if bit { bytes[bytes.count - 1] |= UInt8(0x80) >> UInt8(used) }
        used += 1
    }

    /// Exp-Golomb code of `value` ≥ 0: n zeros, then value + 1 in n + 1 bits.
    mutating func write(unsigned value: Int) {
        let coded = UInt64(value) + 1
        let bits = 64 - coded.leadingZeroBitCount
        for _ in 0..<(bits - 1) { write(bit: false) }
        for shift in stride(from: bits - 1, through: 0, by: -1) { write(bit: (coded >> UInt64(shift)) & 1 == 1) }
    }

    /// Zigzag-mapped (0, −1, 1, −2, …) Exp-Golomb code.
    mutating func write(signed value: Int) {
        write(unsigned: value >= 0 ? 2 * value : -2 * value - 1)
    }
}

/// Reads what `BitWriter` wrote; running past the end or an over-long code throws.
struct BitReader {
    struct Exhausted: Error {}

    private let bytes: ArraySlice<UInt8>
    private var position = 0

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    mutating func readBit() throws -> Bool {
        guard position < bytes.count * 8 else { throw Exhausted() }
        let byte = bytes[bytes.startIndex + position / 8]
        defer { position += 1 }
        return (byte >> UInt8(7 - position % 8)) & 1 == 1
    }

    mutating func readUnsigned() throws -> Int {
        var zeros = 0
        while try !readBit() {
            zeros += 1
            guard zeros <= 31 else { throw Exhausted() }
        }
        var value = 1
        for _ in 0..<zeros { value = value << 1 | (try readBit() ? 1 : 0) }
        return value - 1
    }

    mutating func readSigned() throws -> Int {
        let coded = try readUnsigned()
        return coded % 2 == 0 ? coded / 2 : -(coded + 1) / 2
    }

    /// Whether only zero bits of the last byte remain.
    var isAtEnd: Bool {
        guard (bytes.count * 8 - position) < 8 else { return false }
        var check = self
        while check.position < bytes.count * 8 {
            guard let bit = try? check.readBit(), !bit else { return false }
        }
        return true
    }
}
