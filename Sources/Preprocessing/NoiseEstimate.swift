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
        // Pixels with padding in their 3 x 3 neighbourhood, marked once.
        var nearPadding: [Bool]? = nil
        if let mask = padding?.image, mask.pixels.contains(true) {
            var near = [Bool](repeating: false, count: width * height)
            for y in 0..<height {
                for x in 0..<width where mask[x, y] {
                    for yy in Swift.max(0, y - 1)...Swift.min(height - 1, y + 1) {
                        for xx in Swift.max(0, x - 1)...Swift.min(width - 1, x + 1) { near[yy * width + xx] = true }
                    }
                }
            }
            nearPadding = near
        }
        var residuals: [Float] = []
        residuals.reserveCapacity(width * height / 4)
        let useRetina = boundaries?.retinaFound == true
        for x in 1..<(width - 1) {
            var top = 1
            var bottom = height - 2
            if useRetina, let b = boundaries {
                top = max(1, b.ilm[x])
                bottom = min(height - 2, b.bm[x])
            }
            guard top <= bottom else { continue }
            for y in top...bottom {
                if let nearPadding, nearPadding[y * width + x] { continue }
                let r =
                    frame[x - 1, y - 1] - 2 * frame[x, y - 1] + frame[x + 1, y - 1]
                    - 2 * frame[x - 1, y] + 4 * frame[x, y] - 2 * frame[x + 1, y]
                    + frame[x - 1, y + 1] - 2 * frame[x, y + 1] + frame[x + 1, y + 1]
                residuals.append(abs(r))
            }
        }
        guard residuals.count >= 64, let median = Quantile.of(residuals, 0.5), median.isFinite else { return 0 }
        return 1.4826 * median / 6
    }
}
