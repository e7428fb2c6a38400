import Imaging
import Preprocessing

extension Verifier {
    /// Whole-frame scores, padding excluded. A frame that is all padding (a blank B-scan) has no
    /// pixel to score: it passes only when it came back exactly, and then scores as identical.
    static func wholeFrameScores(
        _ restored: Image<Float>, _ original: Image<Float>, padding: PaddingMask?
    ) throws -> Metrics.Scores {
        if let mask = padding?.image, mask.pixels.allSatisfy({ $0 }) {
            guard restored == original else {
                throw ArchiveError.mismatch("a blank frame (all Pixel Padding Value) did not come back exactly")
            }
            return Metrics.Scores(psnr: .infinity, ssim: 1, msSSIM: 1)
        }
        return try Metrics.compare(restored, original, dataRange: 1, excluding: padding?.image)
    }
}
