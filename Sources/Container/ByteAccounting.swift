/// Where a container's bytes go, by category. The categories add up to the file size exactly.
public struct ByteAccounting: Equatable, Sendable, Codable {
    /// The preamble: magic, format version and its checksum.
    public var fileHeader = 0
    /// The container header's metadata (tool, profile, series, instances, geometry), compressed.
    public var containerHeader = 0
    /// The original header datasets, compressed.
    public var headerDatasets = 0
    /// The frames' ROI records, compressed.
    public var roiRecords = 0
    /// The frames' bitstreams (inside their zstd frames).
    public var bitstreams = 0
    /// The footer index (compressed) and the trailer.
    public var index = 0
    /// Section tags, lengths and checksums, and each record's fixed fields.
    public var framing = 0
    /// Frame records in the container.
    public var recordCount = 0

    public init() {}

    /// The file size.
    public var total: Int {
        fileHeader + containerHeader + headerDatasets + roiRecords + bitstreams + index + framing
    }

    /// The categories in file order, named for reports.
    public var categories: [(name: String, bytes: Int)] {
        [
            ("file header", fileHeader), ("container header", containerHeader),
            ("original header datasets", headerDatasets), ("ROI records", roiRecords),
            ("bitstreams", bitstreams), ("index and trailer", index), ("framing and checksums", framing),
        ]
    }

    mutating func addHeaderSection(metadataFrame: Int, datasetsFrame: Int) {
        containerHeader += metadataFrame
        headerDatasets += datasetsFrame
        framing += OctzFormat.sectionFramingSize + OctzFormat.headerFieldsSize
    }

    mutating func addRecord(_ location: RecordLocation, version: Int = OctzFormat.currentVersion) {
        let fields = OctzFormat.minimumRecordSectionSize(version: version)
        roiRecords += location.roiFrameLength
        bitstreams += location.length - fields - location.roiFrameLength
        framing += fields
        recordCount += 1
    }

    mutating func addIndexSection(length: Int) {
        index += length - OctzFormat.sectionFramingSize + OctzFormat.trailerSize
        framing += OctzFormat.sectionFramingSize
    }
}
