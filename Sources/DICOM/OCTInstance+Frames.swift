import Imaging

extension OCTInstance {
    /// Frame `index` (0-based) as stored values: 8-bit samples widened, 16-bit samples masked to
    /// Bits Stored. Decodes through DCMTK whatever the supported transfer syntax.
    ///
    /// Each call opens the file on its own and decodes only that frame, so frames may be read
    /// from several threads at once and memory stays bounded by one frame per call (plus, for the
    /// Deflated transfer syntax, the inflated data set, which DCMTK cannot read in part).
    public func frame(_ index: Int) throws(DICOMError) -> Image<UInt16> {
        let count = geometry.numberOfFrames
        guard (0..<count).contains(index) else {
            throw DICOMError(
                .frameOutOfRange, "frame \(index + 1) is not in 1...\(count) (frames are numbered from 1)",
                file: url.path)
        }
        let bytes = try DCMTKObject.open(url).frameBytes(index, frameCount: count)
        let pixelCount = geometry.rows * geometry.columns
        let expected = geometry.bitsAllocated == 8 ? pixelCount : 2 * pixelCount
        guard bytes.count == expected else {
            throw DICOMError(
                .decodeFailed, "decoded \(bytes.count) bytes, expected \(expected)", file: url.path,
                frame: index, frameCount: count)
        }
        let pixels: [UInt16]
        if geometry.bitsAllocated == 8 {
            pixels = bytes.map { UInt16($0) }
        } else {
            let mask = UInt16(truncatingIfNeeded: geometry.maxValue)
            pixels = bytes.withUnsafeBytes { raw in
                (0..<pixelCount).map { raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self) & mask }
            }
        }
        return Image(width: geometry.columns, height: geometry.rows, pixels: pixels)
    }
}
