/// The last 28 bytes: index offset (u64), index length (u32), record count (u32), the trailer magic,
/// and the CRC-32C of the 24 bytes before it.
struct Trailer: Equatable {
    var indexOffset: Int
    var indexLength: Int
    var recordCount: Int

    var bytes: [UInt8] {
        var writer = ByteWriter()
        writer.u64(UInt64(indexOffset))
        writer.u32(UInt32(indexLength))
        writer.u32(UInt32(recordCount))
        writer.raw(OctzFormat.trailerMagic)
        writer.u32(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// Whether `bytes` (the file's last 28) end with the trailer magic and checksum position; a file
    /// without it was cut short or never finished.
    static func hasMagic(_ bytes: [UInt8]) -> Bool {
        bytes.count == OctzFormat.trailerSize && Array(bytes[16..<24]) == OctzFormat.trailerMagic
    }

    init(indexOffset: Int, indexLength: Int, recordCount: Int) {
        self.indexOffset = indexOffset
        self.indexLength = indexLength
        self.recordCount = recordCount
    }

    /// Parses and checks the trailer against the file size (and, for the record count, the smallest
    /// record of format `version`). The magic has been checked by the caller.
    init(_ bytes: [UInt8], fileSize: Int, version: Int, site: ErrorSite) throws {
        var reader = ByteReader(bytes, site: site, what: "trailer")
        let indexOffset = try reader.u64("index offset")
        let indexLength = Int(try reader.u32("index length"))
        let recordCount = Int(try reader.u32("record count"))
        _ = try reader.raw(OctzFormat.trailerMagic.count, "magic")
        let stored = try reader.u32("checksum")
        let computed = CRC32C.checksum(bytes[0..<24])
        guard stored == computed else {
            throw site.error(.checksumMismatch("the trailer", stored: stored, computed: computed))
        }
        let smallestHeader = OctzFormat.sectionFramingSize + OctzFormat.headerFieldsSize
        guard indexOffset >= UInt64(OctzFormat.preambleSize + smallestHeader),
            indexOffset <= UInt64(fileSize), indexLength >= OctzFormat.sectionFramingSize,
            Int(indexOffset) + indexLength + OctzFormat.trailerSize == fileSize
        else {
            throw site.error(
                .invalid(
                    "the index at \(indexOffset), \(indexLength) bytes long, does not end where the trailer of a \(fileSize)-byte file begins"
                ))
        }
        let recordSpace = Int(indexOffset) - OctzFormat.preambleSize - smallestHeader
        guard recordCount <= OctzFormat.maximumRecordCount,
            recordCount <= recordSpace / OctzFormat.minimumRecordSectionSize(version: version)
        else {
            throw site.error(.limitExceeded("\(recordCount) records cannot fit in \(recordSpace) bytes"))
        }
        self.init(indexOffset: Int(indexOffset), indexLength: indexLength, recordCount: recordCount)
    }
}
