import Imaging

/// Speckle reduction of one frame (intensities in 0...1).
public struct Despeckler: Sendable {
    public let parameters: DespeckleParameters

    public init(_ parameters: DespeckleParameters) {
        self.parameters = parameters
    }

    /// Whether the filter's strength depends on the frame's noise (`NoiseEstimate`).
    public var needsNoiseEstimate: Bool { parameters.method == .adaptiveBilateral }

    /// The despeckled frame. Padding pixels are left as they are and do not bleed into their
    /// neighbours (they are replaced by the nearest valid pixel of their column while filtering).
    /// `noiseSigma` is the frame's noise σ, used by the adaptive method (none: no filtering).
    public func apply(_ frame: Image<Float>, padding: Image<Bool>? = nil, noiseSigma: Float = 0) -> Image<Float> {
        guard parameters.method != .none, frame.width > 0, frame.height > 0 else { return frame }
        let input = padding.map { frame.fillingPadding($0) } ?? frame
        let sigmaY = max(parameters.strength, 0)
        let sigmaX = sigmaY * max(parameters.horizontalRatio, 0)
        var output: Image<Float>
        switch parameters.method {
        case .none:
            output = input
        case .gaussian:
            output = input.gaussianBlurred(sigmaX: sigmaX, sigmaY: sigmaY)
        case .medianGaussian:
            output = input.median3x3().gaussianBlurred(sigmaX: sigmaX, sigmaY: sigmaY)
        case .guided:
            let guide = input.gaussianBlurred(sigmaX: sigmaX, sigmaY: sigmaY)
            output = guide.guidedFilter(
                input, radiusX: Int((2 * sigmaX).rounded()), radiusY: Int((2 * sigmaY).rounded()),
                epsilon: 0.003)
        case .adaptiveBilateral:
            let rangeSigma = noiseSigma * (parameters.noiseMultiple ?? 2)
            guard rangeSigma > 0, rangeSigma.isFinite else { return frame }
            output = input.bilateralFiltered(
                radiusX: parameters.radiusX ?? 4, radiusY: parameters.radiusY ?? 2,
                rangeSigma: rangeSigma)
        }
        if let padding {
            for i in 0..<output.pixels.count where padding.pixels[i] { output.pixels[i] = frame.pixels[i] }
        }
        return output
    }
}

extension Image where Pixel == Float {
    /// Padding pixels replaced by the nearest non-padding pixel above or below in their column
    /// (the one above on a tie); a column that is all padding copies the nearest column that is not.
    func fillingPadding(_ padding: Image<Bool>) -> Image<Float> {
        var out = self
        var emptyColumns: [Int] = []
        for x in 0..<width {
            var lastValid = -1
            var y = 0
            while y < height {
                if !padding[x, y] {
                    lastValid = y
                    y += 1
                    continue
                }
                var end = y
                while end < height && padding[x, end] { end += 1 }
                if y == 0 && end == height {
                    emptyColumns.append(x)
                    break
                }
                for row in y..<end {
                    let useAbove = lastValid >= 0 && (end >= height || row - lastValid <= end - row)
                    out[x, row] = useAbove ? self[x, lastValid] : self[x, end]
                }
                y = end
            }
        }
        guard emptyColumns.count < width else { return out }
        let empty = Set(emptyColumns)
        for x in emptyColumns {
            var distance = 1
            while true {
                if x - distance >= 0 && !empty.contains(x - distance) {
                    copyColumn(from: x - distance, to: x, in: &out)
                    break
                }
                if x + distance < width && !empty.contains(x + distance) {
                    copyColumn(from: x + distance, to: x, in: &out)
                    break
                }
                distance += 1
            }
        }
        return out
    }

    private func copyColumn(from source: Int, to target: Int, in image: inout Image<Float>) {
        for y in 0..<height { image[target, y] = image[source, y] }
    }

    /// 3 x 3 median, borders replicated.
    func median3x3() -> Image<Float> {
        var out = self
        var v = [Float](repeating: 0, count: 9)
        for y in 0..<height {
            let rows = [max(y - 1, 0), y, min(y + 1, height - 1)]
            for x in 0..<width {
                let columns = (max(x - 1, 0), x, min(x + 1, width - 1))
                var i = 0
                for row in rows {
                    v[i] = self[columns.0, row]
                    v[i + 1] = self[columns.1, row]
                    v[i + 2] = self[columns.2, row]
                    i += 3
                }
                v.sort()
                out[x, y] = v[4]
            }
        }
        return out
    }

    /// He et al.'s guided filter of `input` with this image as the guide.
    func guidedFilter(_ input: Image<Float>, radiusX: Int, radiusY: Int, epsilon: Float) -> Image<Float> {
        let meanGuide = boxMean(radiusX: radiusX, radiusY: radiusY)
        let meanInput = input.boxMean(radiusX: radiusX, radiusY: radiusY)
        let guideInput = Image(width: width, height: height, pixels: zip(pixels, input.pixels).map(*))
            .boxMean(radiusX: radiusX, radiusY: radiusY)
        let guideSquared = map { $0 * $0 }.boxMean(radiusX: radiusX, radiusY: radiusY)
        var a = meanGuide
        var b = meanGuide
        for i in 0..<pixels.count {
            let covariance = guideInput.pixels[i] - meanGuide.pixels[i] * meanInput.pixels[i]
            let variance = guideSquared.pixels[i] - meanGuide.pixels[i] * meanGuide.pixels[i]
            a.pixels[i] = covariance / (variance + epsilon)
            b.pixels[i] = meanInput.pixels[i] - a.pixels[i] * meanGuide.pixels[i]
        }
        let meanA = a.boxMean(radiusX: radiusX, radiusY: radiusY)
        let meanB = b.boxMean(radiusX: radiusX, radiusY: radiusY)
        var out = self
        for i in 0..<pixels.count { out.pixels[i] = meanA.pixels[i] * pixels[i] + meanB.pixels[i] }
        return out
    }
}
