import Foundation
import Imaging

/// A B-scan stored as a grayscale PNG (the research data's exports), as the preprocessing reads it.
public struct PNGFrame: Sendable {
    /// Intensities in 0...1 (stored value over 255, or over 65535 for 16-bit PNGs).
    public var image: Image<Float>
    /// The scanner's padding: in 8-bit PNGs, runs of 255 that reach the top or bottom edge of a
    /// column (Spectralis exports fill the area outside the scan with white); nil for 16-bit PNGs.
    public var padding: PaddingMask?

    /// Reads `url`; throws `PNG.Failure` when it is not a readable grayscale PNG.
    public static func read(_ url: URL) throws -> PNGFrame {
        let gray = try PNG.readGray(url)
        let image = gray.image.normalized(maxValue: gray.bitDepth == 8 ? 255 : 65535)
        return PNGFrame(image: image, padding: gray.bitDepth == 8 ? PaddingMask.edgeRuns(of: 1, in: image) : nil)
    }
}
