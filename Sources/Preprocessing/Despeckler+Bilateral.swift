import Foundation
import Imaging

extension Image where Pixel == Float {
    /// Bilateral filter (Tomasi & Manduchi 1998) over a (2·radiusY+1) x (2·radiusX+1) window:
    /// Gaussian spatial weights (σ = radius / 1.5 on each axis) times a Gaussian of the intensity
    /// difference with σ `rangeSigma` (see below for its arithmetic). Differences above 4·`rangeSigma` get no weight, so an edge
    /// of a few noise σ (a cyst wall, a bright focus, the IS/OS line) is kept while speckle of the
    /// same size as the noise is averaged. Borders are replicated.
    func bilateralFiltered(radiusX: Int, radiusY: Int, rangeSigma: Float) -> Image<Float> {
        guard width > 0, height > 0, rangeSigma > 0, radiusX >= 0, radiusY >= 0 else { return self }
        let rx = radiusX
        let ry = radiusY
        let paddedWidth = width + 2 * rx
        let lanes = 8
        // Replicated-border copy, so the inner loop needs no bounds checks; `lanes` floats of slack at the
        // end let the last vector of the last row be read whole (lanes past the row's end are computed
        // from whatever follows and never stored).
        var padded = [Float](repeating: 0, count: paddedWidth * (height + 2 * ry) + lanes)
        for py in 0..<(height + 2 * ry) {
            let sy = Swift.min(Swift.max(py - ry, 0), height - 1)
            for px in 0..<paddedWidth {
                let sx = Swift.min(Swift.max(px - rx, 0), width - 1)
                padded[py * paddedWidth + px] = pixels[sy * width + sx]
            }
        }
        var offsets: [Int] = []
        var spatial: [Float] = []
        let sigmaX = Swift.max(Float(rx) / 1.5, 0.5)
        let sigmaY = Swift.max(Float(ry) / 1.5, 0.5)
        for dy in -ry...ry {
            for dx in -rx...rx {
                offsets.append(dy * paddedWidth + dx)
                let across: Float = Float(dx * dx) / (2 * sigmaX * sigmaX)
                let down: Float = Float(dy * dy) / (2 * sigmaY * sigmaY)
                spatial.append(Foundation.exp(-(across + down)))
            }
        }
        // Range weight exp(−d² / 2σ²) for |d| < 4σ, else 0; exp by (1 + x/256)^256 (eight squarings:
        // within 0.2% of exp at one σ, 12% at the 4σ cut-off, where the weight is 3e−4), eight pixels at a time.
        let exponentScale = -1 / (2 * rangeSigma * rangeSigma) / 256
        let cutoff = 16 * rangeSigma * rangeSigma
        var out = [Float](repeating: 0, count: width * height)
        let taps = offsets.count
        padded.withUnsafeBufferPointer { source in
            offsets.withUnsafeBufferPointer { offsets in
                spatial.withUnsafeBufferPointer { spatial in
                    out.withUnsafeMutableBufferPointer { out in
                        let base = UnsafeRawPointer(source.baseAddress!)
                        func load(_ index: Int) -> SIMD8<Float> {
                            base.loadUnaligned(
                                fromByteOffset: index * MemoryLayout<Float>.stride, as: SIMD8<Float>.self)
                        }
                        for y in 0..<height {
                            let rowBase = (y + ry) * paddedWidth + rx
                            var x = 0
                            while x < width {
                                let count = Swift.min(lanes, width - x)
                                let centre = rowBase + x
                                let value = load(centre)
                                var sum = SIMD8<Float>(repeating: 0)
                                var weights = SIMD8<Float>(repeating: 0)
                                for t in 0..<taps {
                                    let neighbour = load(centre + offsets[t])
                                    let d = neighbour - value
                                    let squared = d * d
                                    var w = 1 + squared * exponentScale
                                    w = w * w
                                    w = w * w
                                    w = w * w
                                    w = w * w
                                    w = w * w
                                    w = w * w
                                    w = w * w
                                    w = w * w
                                    w = w.replacing(with: 0, where: squared .>= cutoff) * spatial[t]
                                    sum += w * neighbour
                                    weights += w
                                }
                                let result = sum / weights
                                for lane in 0..<count { out[y * width + x + lane] = result[lane] }
                                x += count
                            }
                        }
                    }
                }
            }
        }
        return Image(width: width, height: height, pixels: out)
    }
}
