import Foundation

/// Full-reference image quality metrics: PSNR, SSIM and MS-SSIM (Wang, Simoncelli and Bovik 2003).
///
/// Images are `Image<Float>` on an explicit data range `L` (1 for intensities in 0...1, or
/// 2^BitsStored − 1 for stored values). An optional mask marks pixels to exclude, such as scanner
/// padding; `true` means excluded.
///
/// Convention (shared with `Scripts/metrics-reference/generate.py`, which pins reference values):
/// - Gaussian window 11 x 11, σ 1.5, normalized, applied in 'valid' mode (no padding), like
///   pytorch_msssim; C1 = (0.01 L)², C2 = (0.03 L)².
/// - SSIM is the mean of the SSIM map over the window positions whose window holds no excluded pixel.
/// - MS-SSIM: 5 scales with weights 0.0448, 0.2856, 0.3001, 0.2363, 0.1333; the contrast-structure
///   mean at scales 1–4 and the SSIM mean at scale 5, each clamped at 0 before the power (as
///   pytorch_msssim's ReLU). Between scales, 2 x 2 block averaging; an odd trailing row or column is
///   dropped. A downsampled pixel is excluded when any of its four source pixels is. With sizes
///   that stay even down to scale 5 (multiples of 16, as codec bands are) this equals pytorch_msssim.
/// - PSNR = 10 log10(L² / MSE) over the pixels not excluded; identical images give +infinity.
///
/// ```swift
/// let scores = try Metrics.compare(restored, original, dataRange: 1, excluding: padding)
/// print(scores.psnr, scores.ssim, scores.msSSIM)
/// ```
public enum Metrics {
    /// PSNR, SSIM and MS-SSIM of one image pair.
    public struct Scores: Sendable, Equatable, Codable {
        public var psnr: Double
        public var ssim: Double
        public var msSSIM: Double

        public init(psnr: Double, ssim: Double, msSSIM: Double) {
            self.psnr = psnr
            self.ssim = ssim
            self.msSSIM = msSSIM
        }
    }

    /// Why a metric could not be computed.
    public struct Failure: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// MS-SSIM scale weights, finest scale first.
    public static let msSSIMWeights: [Double] = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]

    /// Peak signal-to-noise ratio in dB over the pixels not excluded.
    public static func psnr(
        _ a: Image<Float>, _ b: Image<Float>, dataRange: Float,
        excluding mask: Image<Bool>? = nil
    ) throws -> Double {
        try checkInputs(a, b, mask: mask, dataRange: dataRange)
        var sum = 0.0
        var count = 0
        a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                if let mask {
                    for i in 0..<pa.count where !mask.pixels[i] {
                        let d = Double(pa[i] - pb[i])
                        sum += d * d
                        count += 1
                    }
                } else {
                    for row in 0..<a.height {
                        var rowSum: Float = 0
                        for i in (row * a.width)..<((row + 1) * a.width) {
                            let d = pa[i] - pb[i]
                            rowSum += d * d
                        }
                        sum += Double(rowSum)
                    }
                    count = pa.count
                }
            }
        }
        guard count > 0 else { throw Failure(description: "PSNR: every pixel is excluded") }
        let mse = sum / Double(count)
        guard mse > 0 else { return .infinity }
        let range = Double(dataRange)
        return 10 * log10(range * range / mse)
    }

    /// Mean structural similarity (single scale).
    public static func ssim(
        _ a: Image<Float>, _ b: Image<Float>, dataRange: Float,
        excluding mask: Image<Bool>? = nil
    ) throws -> Double {
        try checkInputs(a, b, mask: mask, dataRange: dataRange)
        return try SSIMScale(
            a.pixels, b.pixels, width: a.width, height: a.height,
            excluded: mask?.pixels, dataRange: dataRange
        ).ssim
    }

    /// Multi-scale structural similarity over 5 scales.
    public static func msSSIM(
        _ a: Image<Float>, _ b: Image<Float>, dataRange: Float,
        excluding mask: Image<Bool>? = nil
    ) throws -> Double {
        try compare(a, b, dataRange: dataRange, excluding: mask).msSSIM
    }

    /// PSNR, SSIM and MS-SSIM together (SSIM comes from MS-SSIM's first scale, so this costs
    /// little more than MS-SSIM alone).
    public static func compare(
        _ a: Image<Float>, _ b: Image<Float>, dataRange: Float,
        excluding mask: Image<Bool>? = nil
    ) throws -> Scores {
        let psnr = try psnr(a, b, dataRange: dataRange, excluding: mask)
        var x = a.pixels
        var y = b.pixels
        var excluded = mask?.pixels
        var width = a.width
        var height = a.height
        var product = 1.0
        var ssim = 0.0
        for (scale, weight) in msSSIMWeights.enumerated() {
            guard width >= 11, height >= 11 else {
                throw Failure(
                    description: "MS-SSIM: a \(a.height)x\(a.width) image is too small for 5 scales "
                        + "(scale \(scale + 1) would be \(height)x\(width), the window needs 11x11)")
            }
            let statistics = try SSIMScale(x, y, width: width, height: height, excluded: excluded, dataRange: dataRange)
            if scale == 0 { ssim = statistics.ssim }
            let term = scale == msSSIMWeights.count - 1 ? statistics.ssim : statistics.contrastStructure
            product *= pow(max(term, 0), weight)
            if scale < msSSIMWeights.count - 1 {
                let halfWidth = width / 2
                let halfHeight = height / 2
                x = halved(x, width: width, halfWidth: halfWidth, halfHeight: halfHeight)
                y = halved(y, width: width, halfWidth: halfWidth, halfHeight: halfHeight)
                excluded = excluded.map { halved($0, width: width, halfWidth: halfWidth, halfHeight: halfHeight) }
                width = halfWidth
                height = halfHeight
            }
        }
        return Scores(psnr: psnr, ssim: ssim, msSSIM: product)
    }

    private static func checkInputs(_ a: Image<Float>, _ b: Image<Float>, mask: Image<Bool>?, dataRange: Float) throws {
        guard a.width == b.width, a.height == b.height else {
            throw Failure(description: "metrics: image sizes differ (\(a.height)x\(a.width) vs \(b.height)x\(b.width))")
        }
        if let mask, mask.width != a.width || mask.height != a.height {
            throw Failure(
                description: "metrics: mask is \(mask.height)x\(mask.width), images are \(a.height)x\(a.width)")
        }
        guard dataRange > 0, dataRange.isFinite else {
            throw Failure(description: "metrics: data range must be positive, got \(dataRange)")
        }
        guard !a.pixels.isEmpty else { throw Failure(description: "metrics: empty image") }
    }

    /// 2 x 2 block means; an odd trailing row or column is dropped.
    private static func halved(_ data: [Float], width: Int, halfWidth: Int, halfHeight: Int) -> [Float] {
        var out = [Float](repeating: 0, count: halfWidth * halfHeight)
        data.withUnsafeBufferPointer { source in
            for y in 0..<halfHeight {
                let top = source.baseAddress! + 2 * y * width
                let bottom = top + width
                for x in 0..<halfWidth {
                    out[y * halfWidth + x] = (top[2 * x] + top[2 * x + 1] + bottom[2 * x] + bottom[2 * x + 1]) * 0.25
                }
            }
        }
        return out
    }

    /// A 2 x 2 block is excluded when any of its pixels is.
    private static func halved(_ data: [Bool], width: Int, halfWidth: Int, halfHeight: Int) -> [Bool] {
        var out = [Bool](repeating: false, count: halfWidth * halfHeight)
        for y in 0..<halfHeight {
            let top = 2 * y * width
            let bottom = top + width
            for x in 0..<halfWidth {
                out[y * halfWidth + x] =
                    data[top + 2 * x] || data[top + 2 * x + 1]
                    || data[bottom + 2 * x] || data[bottom + 2 * x + 1]
            }
        }
        return out
    }
}
