/// The framing around every section body: a 4-byte tag, the body's length (u32), the body, and the
/// CRC-32C of everything before it.
enum Section {
    static func framed(tag: [UInt8], body: [UInt8]) -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(tag)
        writer.u32(UInt32(body.count))
        writer.raw(body)
        writer.u32(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// Checks a whole section (its extent known from the index or trailer) and returns its body's range.
    /// The checksum is checked first, so that damage anywhere reads as a checksum mismatch.
    static func body(of bytes: [UInt8], tag: [UInt8], name: String, site: ErrorSite) throws -> Range<Int> {
        let framing = OctzFormat.sectionFramingSize
        guard bytes.count >= framing else {
            throw site.error(.invalid("the \(name) section is \(bytes.count) bytes, shorter than its framing"))
        }
        var reader = ByteReader(bytes, range: (bytes.count - 4)..<bytes.count, site: site, what: "\(name) section")
        let stored = try reader.u32("checksum")
        let computed = bytes.withUnsafeBytes {
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: $0[..<(bytes.count - 4)]))
        }
        guard stored == computed else {
            throw site.error(.checksumMismatch("the \(name) section", stored: stored, computed: computed))
        }
        guard Array(bytes[0..<4]) == tag else {
            throw site.error(
                .invalid(
                    "expected a \(name) section (tag \(String(decoding: tag, as: UTF8.self))), found tag bytes \(bytes[0..<4].map { String($0, radix: 16) })"
                ))
        }
        var lengthReader = ByteReader(bytes, range: 4..<8, site: site, what: "\(name) section")
        let length = Int(try lengthReader.u32("body length"))
        guard length == bytes.count - framing else {
            throw site.error(
                .invalid(
                    "the \(name) section's body length field says \(length), the index says \(bytes.count - framing)"))
        }
        return 8..<(bytes.count - 4)
    }
}
