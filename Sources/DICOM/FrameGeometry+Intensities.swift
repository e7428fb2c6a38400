import Imaging

/// The pixel conventions every stage shares: what a stored value means as an intensity, and which
/// stored value marks the area outside the scan.
extension FrameGeometry {
    /// Intensities of a frame as the codec sees them: stored values over 2^BitsStored − 1, with
    /// MONOCHROME1 inverted so that tissue is bright.
    public func intensities(of frame: Image<UInt16>) -> Image<Float> {
        let normalized = frame.normalized(maxValue: maxValue)
        return photometricInterpretation == "MONOCHROME1" ? normalized.map { 1 - $0 } : normalized
    }

    /// Stored values of intensities (the inverse of ``intensities(of:)``).
    public func storedValues(of intensities: Image<Float>) -> Image<UInt16> {
        let oriented = photometricInterpretation == "MONOCHROME1" ? intensities.map { 1 - $0 } : intensities
        return oriented.quantized(maxValue: maxValue)
    }

    /// The intensity of the padding outside the scan: Pixel Padding Value, or 255 in 8-bit frames without
    /// one (Spectralis exports fill the area outside the scan with white); nil when there is none.
    public var paddingIntensity: Float? {
        guard let stored = pixelPaddingValue ?? (bitsStored == 8 ? 255 : nil), (0...maxValue).contains(stored) else {
            return nil
        }
        let value = Float(stored) / Float(maxValue)
        return photometricInterpretation == "MONOCHROME1" ? 1 - value : value
    }
}
