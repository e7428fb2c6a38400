import Foundation
import Imaging

extension Image where Pixel == Float {
    /// Bilateral filter (Tomasi & Manduchi 1998) over a (2·radiusY+1) x (2·radiusX+1) window:
    /// Gaussian spatial weights (σ = radius / 1.5 on each axis) times a Gaussian of the intensity
    /// difference with σ `rangeSigma`. Differences above 4·`rangeSigma` get no weight, so an edge
    /// of a few noise σ (a cyst wall, a bright focus, the IS/OS line) is kept while speckle of the
    /// same size as the noise is averaged. Borders are replicated.
    func bilateralFiltered(radiusX: Int, radiusY: Int, rangeSigma: Float) -> Image<Float> {
        guard width > 0, height > 0, rangeSigma > 0, radiusX >= 0, radiusY >= 0 else { return self }
        let rx = radiusX, ry = radiusY
        let paddedWidth = width + 2 * rx
        // Replicated-border copy, so the inner loop needs no bounds checks.
        var padded = [Float](repeating: 0, count: paddedWidth * (height + 2 * ry))
        for py in 0..<(height + 2 * ry) {
            let sy = Swift.min(Swift.max(py - ry, 0), height - 1)
            for px in 0..<paddedWidth {
                let sx = Swift.min(Swift.max(px - rx, 0), width - 1)
                padded[py * paddedWidth + px] = pixels[sy * width + sx]
            }
        }
        var offsets: [Int] = [], spatial: [Float] = []
        let sigmaX = Swift.max(Float(rx) / 1.5, 0.5), sigmaY = Swift.max(Float(ry) / 1.5, 0.5)
        for dy in -ry...ry {
            for dx in -rx...rx {
                offsets.append(dy * paddedWidth + dx)
                let across: Float = Float(dx * dx) / (2 * sigmaX * sigmaX)
                let down: Float = Float(dy * dy) / (2 * sigmaY * sigmaY)
                spatial.append(Foundation.exp(-(across + down)))
            }
        }
        // Range weights tabulated over |difference| in 0 ..< 4σ.
        let tableSize = 512
        let tableScale = Float(tableSize) / (4 * rangeSigma)
        let table = (0...tableSize).map { i -> Float in
            let d = Float(i) / tableScale
            let exponent: Float = -d * d / (2 * rangeSigma * rangeSigma)
            return i == tableSize ? 0 : Foundation.exp(exponent)
        }
        var out = [Float](repeating: 0, count: width * height)
        let taps = offsets.count
        padded.withUnsafeBufferPointer { source in
            offsets.withUnsafeBufferPointer { offsets in
                spatial.withUnsafeBufferPointer { spatial in
                    table.withUnsafeBufferPointer { table in
                        out.withUnsafeMutableBufferPointer { out in
                            for y in 0..<height {
                                let rowBase = (y + ry) * paddedWidth + rx
                                for x in 0..<width {
                                    let centre = rowBase + x
                                    let value = source[centre]
                                    var sum: Float = 0, weights: Float = 0
                                    for t in 0..<taps {
                                        let neighbour = source[centre + offsets[t]]
                                        let index = Swift.min(Int(abs(neighbour - value) * tableScale), tableSize)
                                        let w = spatial[t] * table[index]
                                        sum += w * neighbour
                                        weights += w
                                    }
                                    out[y * width + x] = sum / weights
                                }
                            }
                        }
                    }
                }
            }
        }
        return Image(width: width, height: height, pixels: out)
    }
}
