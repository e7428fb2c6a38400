/// What a container records once: who wrote it with which profile, the series, and each instance's
/// original header dataset and pixel geometry, so that valid DICOM can be restored.
public struct ContainerHeader: Equatable, Sendable {
    /// The octarc version that wrote the container.
    public var toolVersion: String
    /// The codec profile's name.
    public var profileName: String
    /// SHA-256 of the profile's weights file: exactly 32 bytes.
    public var profileWeightsSHA256: [UInt8]
    public var studyInstanceUID: String
    public var seriesInstanceUID: String
    public var patientID: String
    /// Free-form series-level facts (options used, notes); stored sorted by key.
    public var properties: [String: String]
    /// The instances of the series, in the order records refer to them by index.
    public var instances: [InstanceInfo]

    public init(
        toolVersion: String, profileName: String, profileWeightsSHA256: [UInt8],
        studyInstanceUID: String, seriesInstanceUID: String, patientID: String,
        properties: [String: String] = [:], instances: [InstanceInfo]
    ) {
        self.toolVersion = toolVersion
        self.profileName = profileName
        self.profileWeightsSHA256 = profileWeightsSHA256
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.patientID = patientID
        self.properties = properties
        self.instances = instances
    }
}

/// One original DICOM instance.
public struct InstanceInfo: Equatable, Sendable {
    public var sopInstanceUID: String
    public var sopClassUID: String
    /// The transfer syntax the original was stored in.
    public var transferSyntaxUID: String
    public var geometry: PixelGeometry
    /// Bytes of the original Pixel Data element's value (for the stored compression ratio).
    public var pixelDataByteCount: Int
    /// The original dataset without its pixel data, as opaque bytes; restored unchanged.
    public var headerDataset: [UInt8]

    public init(
        sopInstanceUID: String, sopClassUID: String, transferSyntaxUID: String,
        geometry: PixelGeometry, pixelDataByteCount: Int, headerDataset: [UInt8]
    ) {
        self.sopInstanceUID = sopInstanceUID
        self.sopClassUID = sopClassUID
        self.transferSyntaxUID = transferSyntaxUID
        self.geometry = geometry
        self.pixelDataByteCount = pixelDataByteCount
        self.headerDataset = headerDataset
    }
}

/// The Image Pixel module values of an instance.
public struct PixelGeometry: Equatable, Sendable {
    public var rows: Int
    public var columns: Int
    /// Number of Frames (1 for a single-frame instance).
    public var frames: Int
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var highBit: Int
    /// 0 unsigned, 1 two's complement.
    public var pixelRepresentation: Int
    public var photometricInterpretation: String
    /// Pixel Padding Value (0028,0120), if the original has one.
    public var pixelPaddingValue: Int32?

    public init(
        rows: Int, columns: Int, frames: Int, bitsAllocated: Int, bitsStored: Int, highBit: Int,
        pixelRepresentation: Int, photometricInterpretation: String, pixelPaddingValue: Int32? = nil
    ) {
        self.rows = rows
        self.columns = columns
        self.frames = frames
        self.bitsAllocated = bitsAllocated
        self.bitsStored = bitsStored
        self.highBit = highBit
        self.pixelRepresentation = pixelRepresentation
        self.photometricInterpretation = photometricInterpretation
        self.pixelPaddingValue = pixelPaddingValue
    }
}
