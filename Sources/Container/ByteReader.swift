/// Reads little-endian fields from part of a byte array; every read is checked against the end and a
/// failure names the site and what was being read.
struct ByteReader {
    private let bytes: [UInt8]
    private(set) var position: Int
    private let end: Int
    private let site: ErrorSite
    /// What the bytes are, for error messages ("header metadata").
    private let what: String

    init(_ bytes: [UInt8], range: Range<Int>? = nil, site: ErrorSite, what: String) {
        let range = range ?? bytes.indices
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.site = site
        self.what = what
    }

    var remaining: Int { end - position }

    mutating func u8(_ field: String) throws -> UInt8 { try integer(field) }
    mutating func u16(_ field: String) throws -> UInt16 { try integer(field) }
    mutating func u32(_ field: String) throws -> UInt32 { try integer(field) }
    mutating func u64(_ field: String) throws -> UInt64 { try integer(field) }

    /// The next `count` bytes; `count` is checked against what is left before anything is allocated.
    mutating func raw(_ count: Int, _ field: String) throws -> [UInt8] {
        try require(count, field)
        defer { position += count }
        return Array(bytes[position..<(position + count)])
    }

    /// The range of the next `count` bytes, skipping them.
    mutating func skip(_ count: Int, _ field: String) throws -> Range<Int> {
        try require(count, field)
        defer { position += count }
        return position..<(position + count)
    }

    /// A 16-bit length and that many bytes of valid UTF-8.
    mutating func string(_ field: String) throws -> String {
        let length = Int(try u16("\(field) length"))
        let data = try raw(length, field)
        // Decoding repairs invalid UTF-8 with replacement characters, so a changed round trip means invalid.
        let string = String(decoding: data, as: UTF8.self)
        guard string.utf8.elementsEqual(data) else {
            throw site.error(.invalid("\(what): \(field) is not valid UTF-8"))
        }
        return string
    }

    /// Fails unless every byte has been read.
    func expectEnd() throws {
        guard remaining == 0 else {
            throw site.error(.invalid("\(what): \(remaining) unexpected bytes after the last field"))
        }
    }

    private mutating func require(_ count: Int, _ field: String) throws {
        guard count >= 0 && count <= remaining else {
            throw site.error(.truncated("\(what) ends inside \(field) (needs \(count) bytes, \(remaining) left)"))
        }
    }

    private mutating func integer<T: FixedWidthInteger>(_ field: String) throws -> T {
        let size = MemoryLayout<T>.size
        try require(size, field)
        var value: T = 0
        for offset in 0..<size {
            value |= T(bytes[position + offset]) << (8 * offset)
        }
        position += size
        return value
    }
}
