import Foundation

/// Separable linear filters on `Image<Float>`: Gaussian blur and box mean, with the border
/// handled by edge replication, so the output has the input's size.
extension Image where Pixel == Float {
    /// The image convolved with a normalized Gaussian of standard deviation `sigmaX` across and
    /// `sigmaY` down (in pixels; 0 leaves that direction alone). The kernel spans ±3σ; borders
    /// replicate the edge pixels.
    ///
    /// ```swift
    /// let smooth = frame.gaussianBlurred(sigmaX: 6, sigmaY: 2)
    /// ```
    public func gaussianBlurred(sigmaX: Float, sigmaY: Float, columnStride: Int = 1) -> Image<Float> {
        separableFiltered(
            horizontal: GaussianKernel.weights(sigma: sigmaX),
            vertical: GaussianKernel.weights(sigma: sigmaY), columnStride: columnStride)
    }

    /// The mean over a (2`radiusX`+1) x (2`radiusY`+1) box around each pixel, borders replicated.
    public func boxMean(radiusX: Int, radiusY: Int) -> Image<Float> {
        separableFiltered(
            horizontal: [Float](repeating: 1 / Float(2 * radiusX + 1), count: 2 * radiusX + 1),
            vertical: [Float](repeating: 1 / Float(2 * radiusY + 1), count: 2 * radiusY + 1))
    }

    /// The image filtered by the outer product of two odd-length kernels (each centred), borders
    /// replicated. With `columnStride` n > 1 only every n-th column of the result is computed and
    /// returned (an image ceil(width / n) wide), for callers that subsample after smoothing.
    public func separableFiltered(horizontal: [Float], vertical: [Float], columnStride: Int = 1) -> Image<Float> {
        precondition(horizontal.count % 2 == 1 && vertical.count % 2 == 1, "kernels must have odd length")
        guard width > 0, height > 0 else { return self }
        let rx = horizontal.count / 2
        let ry = vertical.count / 2
        let step = Swift.max(columnStride, 1)
        let outWidth = (width + step - 1) / step
        // Horizontal pass first (on the kept columns only), on rows padded by replication. The
        // padded row is split into `step` phases so every inner loop runs over contiguous memory.
        var rowPass = [Float](repeating: 0, count: outWidth * height)
        let paddedCount = width + 2 * rx
        let phaseCount = (paddedCount + step - 1) / step
        var phases = [Float](repeating: 0, count: step * phaseCount)
        pixels.withUnsafeBufferPointer { source in
            rowPass.withUnsafeMutableBufferPointer { out in
                phases.withUnsafeMutableBufferPointer { phase in
                    for y in 0..<height {
                        let input = source.baseAddress! + y * width
                        if step == 1 {
                            for j in 0..<rx {
                                phase[j] = input[0]
                                phase[rx + width + j] = input[width - 1]
                            }
                            for x in 0..<width { phase[rx + x] = input[x] }
                        } else {
                            for p in 0..<step {
                                let target = phase.baseAddress! + p * phaseCount
                                for i in 0..<phaseCount {
                                    let j = i * step + p
                                    target[i] = input[Swift.min(Swift.max(j - rx, 0), width - 1)]
                                }
                            }
                        }
                        let row = out.baseAddress! + y * outWidth
                        for (k, weight) in horizontal.enumerated() {
                            let shifted = phase.baseAddress! + (k % step) * phaseCount + k / step
                            for c in 0..<outWidth { row[c] += weight * shifted[c] }
                        }
                    }
                }
            }
        }
        // Vertical pass: whole rows at a time.
        var result = [Float](repeating: 0, count: outWidth * height)
        rowPass.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    let row = out.baseAddress! + y * outWidth
                    for (k, weight) in vertical.enumerated() {
                        let sourceY = Swift.min(Swift.max(y + k - ry, 0), height - 1)
                        let input = source.baseAddress! + sourceY * outWidth
                        for c in 0..<outWidth { row[c] += weight * input[c] }
                    }
                }
            }
        }
        return Image(width: outWidth, height: height, pixels: result)
    }
}

/// Sampled, normalized Gaussian kernels.
public enum GaussianKernel {
    /// `2 * radius + 1` weights of a Gaussian of standard deviation `sigma`, summing to 1; the
    /// radius defaults to ceil(3σ). `sigma` 0 gives the identity kernel `[1]`.
    public static func weights(sigma: Float, radius: Int? = nil) -> [Float] {
        guard sigma > 0 else { return [1] }
        let r = radius ?? Int((3 * sigma).rounded(.up))
        let raw = (-r...r).map { offset -> Double in
            let x = Double(offset)
            return Foundation.exp(-x * x / (2 * Double(sigma) * Double(sigma)))
        }
        let total = raw.reduce(0, +)
        return raw.map { Float($0 / total) }
    }
}
