/// The pixel layout of an instance's frames (Image Pixel and Multi-frame attributes).
public struct FrameGeometry: Equatable, Sendable, Codable {
    public var rows: Int
    public var columns: Int
    public var numberOfFrames: Int
    public var bitsAllocated: Int
    public var bitsStored: Int
    public var highBit: Int
    /// 0: unsigned (the only kind supported).
    public var pixelRepresentation: Int
    /// "MONOCHROME2" or "MONOCHROME1".
    public var photometricInterpretation: String
    public var samplesPerPixel: Int
    /// Pixel Padding Value (0028,0120), if present: pixels with this value are padding.
    public var pixelPaddingValue: Int?

    public init(
        rows: Int, columns: Int, numberOfFrames: Int, bitsAllocated: Int, bitsStored: Int, highBit: Int,
        pixelRepresentation: Int = 0, photometricInterpretation: String = "MONOCHROME2",
        samplesPerPixel: Int = 1, pixelPaddingValue: Int? = nil
    ) {
        self.rows = rows
        self.columns = columns
        self.numberOfFrames = numberOfFrames
        self.bitsAllocated = bitsAllocated
        self.bitsStored = bitsStored
        self.highBit = highBit
        self.pixelRepresentation = pixelRepresentation
        self.photometricInterpretation = photometricInterpretation
        self.samplesPerPixel = samplesPerPixel
        self.pixelPaddingValue = pixelPaddingValue
    }

    /// The largest stored value, 2^bitsStored − 1: the data range of every metric.
    public var maxValue: Int { (1 << bitsStored) - 1 }

    /// Bytes of one uncompressed frame.
    public var frameByteCount: Int { rows * columns * samplesPerPixel * bitsAllocated / 8 }

    /// Reads the geometry of `object`, checking that this reader supports it.
    static func read(_ object: DCMTKObject) throws(DICOMError) -> FrameGeometry {
        func required(_ tag: DICOMTag, _ name: String) throws(DICOMError) -> Int {
            guard let value = object.integer(tag) else {
                throw DICOMError(.missingAttribute, "no \(name) \(tag)", file: object.label)
            }
            return value
        }
        let photometric = object.string(.photometricInterpretation) ?? ""
        let geometry = FrameGeometry(
            rows: try required(.rows, "Rows"), columns: try required(.columns, "Columns"),
            numberOfFrames: object.integer(.numberOfFrames) ?? 1,
            bitsAllocated: try required(.bitsAllocated, "Bits Allocated"),
            bitsStored: try required(.bitsStored, "Bits Stored"), highBit: try required(.highBit, "High Bit"),
            pixelRepresentation: object.integer(.pixelRepresentation) ?? 0,
            photometricInterpretation: photometric, samplesPerPixel: object.integer(.samplesPerPixel) ?? 1,
            pixelPaddingValue: object.integer(.pixelPaddingValue))
        try geometry.checkSupported(file: object.label)
        return geometry
    }

    func checkSupported(file: String) throws(DICOMError) {
        func unsupported(_ reason: String) -> DICOMError { DICOMError(.unsupportedPixelFormat, reason, file: file) }
        guard samplesPerPixel == 1 else { throw unsupported("unsupported Samples per Pixel \(samplesPerPixel)") }
        guard photometricInterpretation == "MONOCHROME2" || photometricInterpretation == "MONOCHROME1" else {
            throw unsupported("unsupported photometric interpretation \(photometricInterpretation)")
        }
        guard pixelRepresentation == 0 else { throw unsupported("unsupported signed pixels (Pixel Representation 1)") }
        guard bitsAllocated == 8 || bitsAllocated == 16 else {
            throw unsupported("unsupported Bits Allocated \(bitsAllocated)")
        }
        guard (1...bitsAllocated).contains(bitsStored), highBit == bitsStored - 1 else {
            throw unsupported(
                "unsupported Bits Stored \(bitsStored) / High Bit \(highBit) with Bits Allocated \(bitsAllocated)")
        }
        guard rows > 0, columns > 0 else {
            throw DICOMError(.missingAttribute, "empty frames (Rows \(rows), Columns \(columns))", file: file)
        }
        guard numberOfFrames != 0 else { throw DICOMError(.noFrames, "Number of Frames is 0 (no frames)", file: file) }
        guard numberOfFrames > 0, numberOfFrames <= Int(Int32.max) else {
            throw DICOMError(.missingAttribute, "invalid Number of Frames \(numberOfFrames)", file: file)
        }
    }
}
