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
        // Loops over the buffers rather than `map`, which appends sample by sample and is not vectorized.
        let eightBit = geometry.bitsAllocated == 8
        let mask = UInt16(truncatingIfNeeded: geometry.maxValue)
        let pixels = [UInt16](unsafeUninitializedCapacity: pixelCount) { target, initialized in
            bytes.withUnsafeBytes { raw in
                if eightBit {
                    for i in 0..<pixelCount { target[i] = UInt16(raw[i]) }
                } else {
                    for i in 0..<pixelCount {
                        target[i] = raw.loadUnaligned(fromByteOffset: 2 &* i, as: UInt16.self) & mask
                    }
                }
            }
            initialized = pixelCount
        }
        return Image(width: geometry.columns, height: geometry.rows, pixels: pixels)
    }
}
