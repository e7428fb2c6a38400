/// The first 16 bytes: magic, format version (u16), reserved (u16, 0), CRC-32C of the 12 bytes before it.
/// This layout is the same in every format version.
enum Preamble {
    static func bytes(version: Int) -> [UInt8] {
        var writer = ByteWriter()
        writer.raw(OctzFormat.magic)
        writer.u16(UInt16(version))
        writer.u16(0)
        writer.u32(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// The format version, after checking magic, checksum and reserved field.
    static func version(of bytes: [UInt8], fileSize: Int, site: ErrorSite) throws -> Int {
        let magicLength = min(bytes.count, OctzFormat.magic.count)
        guard Array(bytes[0..<magicLength]) == Array(OctzFormat.magic[0..<magicLength]) else {
            let start = bytes.prefix(8).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined(separator: " ")
            throw site.error(.notAContainer("it starts with \(start), not the .octz magic"))
        }
        guard bytes.count == OctzFormat.preambleSize else {
            throw site.error(
                .truncated("the file is \(fileSize) bytes, shorter than the \(OctzFormat.preambleSize)-byte preamble"))
        }
        var reader = ByteReader(bytes, range: 8..<16, site: site, what: "preamble")
        let version = Int(try reader.u16("format version"))
        let reserved = try reader.u16("reserved")
        let stored = try reader.u32("checksum")
        let computed = CRC32C.checksum(bytes[0..<12])
        guard stored == computed else {
            throw site.error(.checksumMismatch("the preamble", stored: stored, computed: computed))
        }
        guard version <= OctzFormat.currentVersion else {
            throw site.error(.newerVersion(found: version, supported: OctzFormat.currentVersion))
        }
        guard OctzFormat.readableVersions.contains(version) else {
            throw site.error(.unknownVersion(version))
        }
        guard reserved == 0 else {
            throw site.error(.invalid("reserved preamble field is \(reserved), not 0"))
        }
        return version
    }
}
