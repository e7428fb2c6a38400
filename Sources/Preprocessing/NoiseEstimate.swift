import Imaging

/// The noise level of one frame, so that despeckling can be as strong as the frame needs and no
/// stronger: single Bioptigen B-scans carry speckle of σ ≈ 25/255, Spectralis exports (averaged by
/// the scanner) σ ≈ 1–4/255, and a filter of fixed strength is wrong for one of them.
///
/// The estimate is Immerkær's (1996) Laplacian-difference residual, made robust with the median
/// absolute value (×1.4826 / 6, the kernel's norm), over the retina (ILM to BM) where one was
/// found, else over every non-padding pixel. Pixels next to padding are left out.
public enum NoiseEstimate {
    /// σ of the frame's noise, in the frame's units (intensities 0...1); 0 for a frame without
    /// usable pixels (blank, tiny, all padding).
    public static func sigma(_ frame: Image<Float>, boundaries: LayerBoundaries?, padding: PaddingMask?) -> Float {
        let width = frame.width
        let height = frame.height
        guard width >= 3, height >= 3 else { return 0 }
        // Pixels with padding in their 3 x 3 neighbourhood, marked once, from the padding's runs.
        var nearPadding: [Bool]? = nil
        if let padding, padding.columns.contains(where: { !$0.isEmpty }) {
            var near = [Bool](repeating: false, count: width * height)
            for (x, runs) in padding.columns.enumerated() {
                for run in runs {
                    let rows = Swift.max(0, run.start - 1)..<Swift.min(height, run.start + run.length + 1)
                    for xx in Swift.max(0, x - 1)...Swift.min(width - 1, x + 1) {
                        for yy in rows { near[yy * width + xx] = true }
                    }
                }
            }
            nearPadding = near
        }
        // The rows measured in each column: the retina's, or all but the first and last.
        var top = [Int](repeating: 1, count: width)
        var bottom = [Int](repeating: height - 2, count: width)
        if boundaries?.retinaFound == true, let b = boundaries {
            for x in 1..<(width - 1) {
                top[x] = max(1, b.ilm[x])
                bottom[x] = min(height - 2, b.bm[x])
            }
        }
        var residuals: [Float] = []
        residuals.reserveCapacity(width * height / 4)
        // Row by row (the order does not matter to the median, which is read from a histogram).
        frame.pixels.withUnsafeBufferPointer { pixels in
            for y in 1..<(height - 1) {
                let above = pixels.baseAddress! + (y - 1) * width
                let row = above + width
                let below = row + width
                for x in 1..<(width - 1) where y >= top[x] && y <= bottom[x] {
                    if let nearPadding, nearPadding[y * width + x] { continue }
                    let r =
                        above[x - 1] - 2 * above[x] + above[x + 1]
                        - 2 * row[x - 1] + 4 * row[x] - 2 * row[x + 1]
                        + below[x - 1] - 2 * below[x] + below[x + 1]
                    residuals.append(abs(r))
                }
            }
        }
        guard residuals.count >= 64, let median = Quantile.of(residuals, 0.5), median.isFinite else { return 0 }
        return 1.4826 * median / 6
    }
}
