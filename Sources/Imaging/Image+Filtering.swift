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
    public func gaussianBlurred(sigmaX: Float, sigmaY: Float) -> Image<Float> {
        separableFiltered(horizontal: GaussianKernel.weights(sigma: sigmaX),
                          vertical: GaussianKernel.weights(sigma: sigmaY))
    }

    /// The mean over a (2`radiusX`+1) x (2`radiusY`+1) box around each pixel, borders replicated.
    public func boxMean(radiusX: Int, radiusY: Int) -> Image<Float> {
        separableFiltered(horizontal: [Float](repeating: 1 / Float(2 * radiusX + 1), count: 2 * radiusX + 1),
                          vertical: [Float](repeating: 1 / Float(2 * radiusY + 1), count: 2 * radiusY + 1))
    }

    /// The image filtered by the outer product of two odd-length kernels (each centred), borders
    /// replicated.
    public func separableFiltered(horizontal: [Float], vertical: [Float]) -> Image<Float> {
        precondition(horizontal.count % 2 == 1 && vertical.count % 2 == 1, "kernels must have odd length")
        guard width > 0, height > 0 else { return self }
        let rx = horizontal.count / 2, ry = vertical.count / 2
        var columnPass = [Float](repeating: 0, count: width * height)
        // Vertical pass: whole rows at a time, so the inner loop runs over contiguous memory.
        pixels.withUnsafeBufferPointer { source in
            columnPass.withUnsafeMutableBufferPointer { out in
                for y in 0..<height {
                    let row = out.baseAddress! + y * width
                    for (k, weight) in vertical.enumerated() {
                        let sourceY = Swift.min(Swift.max(y + k - ry, 0), height - 1)
                        let input = source.baseAddress! + sourceY * width
                        for x in 0..<width { row[x] += weight * input[x] }
                    }
                }
            }
        }
        // Horizontal pass on a row padded by replication.
        var result = [Float](repeating: 0, count: width * height)
        var padded = [Float](repeating: 0, count: width + 2 * rx)
        columnPass.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { out in
                padded.withUnsafeMutableBufferPointer { line in
                    for y in 0..<height {
                        let input = source.baseAddress! + y * width
                        for i in 0..<rx { line[i] = input[0]; line[rx + width + i] = input[width - 1] }
                        for x in 0..<width { line[rx + x] = input[x] }
                        let row = out.baseAddress! + y * width
                        for (k, weight) in horizontal.enumerated() {
                            let shifted = line.baseAddress! + k
                            for x in 0..<width { row[x] += weight * shifted[x] }
                        }
                    }
                }
            }
        }
        return Image(width: width, height: height, pixels: result)
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
