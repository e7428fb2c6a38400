/// Constants of the `.octz` format. `Sources/Container/FORMAT.md` documents each one; a test parses
/// that document's constant table and checks it against these values.
public enum OctzFormat {
    /// The format version this code writes; it reads every version from 1 up to this one.
    public static let currentVersion = 2
    /// The versions this code reads.
    public static let readableVersions = 1...currentVersion

    /// The first 8 bytes of every container: `\x89 O C T Z \r \n \x1a`.
    public static let magic: [UInt8] = [0x89, 0x4F, 0x43, 0x54, 0x5A, 0x0D, 0x0A, 0x1A]
    /// The 8 bytes before the trailer's checksum: `OCTZEND\n`.
    public static let trailerMagic: [UInt8] = Array("OCTZEND\n".utf8)

    static let headerTag: [UInt8] = Array("HEAD".utf8)
    static let recordTag: [UInt8] = Array("FRAM".utf8)
    static let indexTag: [UInt8] = Array("INDX".utf8)

    /// Magic, version, reserved field and checksum.
    static let preambleSize = 16
    /// Tag, body length and checksum around every section body.
    static let sectionFramingSize = 12
    /// The header section's body starts with the length of its metadata frame.
    static let headerFieldsSize = 4
    /// Instance, frame, flags, pixel checksum and ROI frame length at the start of a record body.
    static let recordFieldsSize = 17
    /// Version 1 records also had a mode byte after the frame index (version 2 dropped it: the ROI
    /// record says whether a frame was coded as a band or whole).
    static let version1RecordFieldsSize = 18
    /// Instance, frame, offset, length and ROI frame length of one record in the index.
    static let indexEntrySize = 24
    /// Index offset, index length, record count, trailer magic and checksum.
    static let trailerSize = 28
    /// Bytes of the SHA-256 of the profile weights.
    static let profileDigestSize = 32

    /// Largest string (UTF-8 bytes); lengths are 16-bit.
    static let maximumStringBytes = 65_535
    /// Largest decompressed header metadata.
    static let maximumMetadataBytes = 16 << 20
    /// Largest decompressed total of the original header datasets.
    static let maximumHeaderDatasetBytes = 256 << 20
    /// Largest decompressed ROI record of one frame.
    static let maximumROIBytes = 64 << 20
    /// Largest decompressed bitstream of one frame.
    static let maximumBitstreamBytes = 64 << 20
    /// Largest section (framing included).
    static let maximumSectionBytes = 512 << 20
    /// Largest number of frame records.
    static let maximumRecordCount = 1 << 24

    /// The fields at the start of a record body in `version`.
    static func recordFieldsSize(version: Int) -> Int {
        version == 1 ? version1RecordFieldsSize : recordFieldsSize
    }

    /// The smallest record section in `version`: framing and fields, with an empty ROI and an empty
    /// bitstream.
    static func minimumRecordSectionSize(version: Int) -> Int {
        sectionFramingSize + recordFieldsSize(version: version)
    }
}
