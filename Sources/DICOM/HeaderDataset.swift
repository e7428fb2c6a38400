/// An instance's header data set: the file meta information and every attribute but Pixel Data,
/// private ones included, encoded as a DICOM Part 10 stream in Explicit VR Little Endian. The
/// bytes re-create the data set exactly; a container stores them and the writer builds the
/// restored instance from them. The Transfer Syntax UID of their file meta information describes
/// these bytes (Explicit VR Little Endian); the source file's is `OCTInstance.transferSyntaxUID`.
public struct HeaderDataset: Equatable, Sendable {
    public let bytes: [UInt8]

    /// Wraps bytes from `OCTInstance.headerDataset()` (for example read back from a container),
    /// checking that DCMTK parses them.
    public init(bytes: [UInt8]) throws(DICOMError) {
        _ = try DCMTKObject.open(bytes: bytes, label: HeaderDataset.label)
        self.bytes = bytes
    }

    init(validated bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Every attribute, file meta information first, sequences depth first.
    public func attributes() throws(DICOMError) -> [DICOMAttribute] {
        try open().attributes(includeMeta: true)
    }

    /// A top-level attribute's values as text (backslash-separated), or nil if absent.
    public func string(_ tag: DICOMTag) throws(DICOMError) -> String? {
        try open().string(tag)
    }

    /// The frame layout the header describes (checked to be supported).
    public func geometry() throws(DICOMError) -> FrameGeometry {
        try FrameGeometry.read(open())
    }

    static let label = "header data set"

    func open() throws(DICOMError) -> DCMTKObject {
        try DCMTKObject.open(bytes: bytes, label: HeaderDataset.label)
    }
}
