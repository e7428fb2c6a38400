import CKernels
import Foundation
import Imaging

extension Image where Pixel == Float {
    /// Bilateral filter (Tomasi & Manduchi 1998) over a (2·radiusY+1) x (2·radiusX+1) window:
    /// Gaussian spatial weights (σ = radius / 1.5 on each axis) times a Gaussian of the intensity
    /// difference with σ `rangeSigma` (see below for its arithmetic). Differences above 4·`rangeSigma` get no weight, so an edge
    /// of a few noise σ (a cyst wall, a bright focus, the IS/OS line) is kept while speckle of the
    /// same size as the noise is averaged. Borders are replicated.
    func bilateralFiltered(
        radiusX: Int, radiusY: Int, rangeSigma: Float, isa: octarc_isa = OCTARC_ISA_AVX512
    ) -> Image<Float> {
        guard width > 0, height > 0, rangeSigma > 0, radiusX >= 0, radiusY >= 0 else { return self }
        let rx = radiusX
        let ry = radiusY
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
        var spatial: [Float] = []
        let sigmaX = Swift.max(Float(rx) / 1.5, 0.5)
        let sigmaY = Swift.max(Float(ry) / 1.5, 0.5)
        for dy in -ry...ry {
            for dx in -rx...rx {
                let across: Float = Float(dx * dx) / (2 * sigmaX * sigmaX)
                let down: Float = Float(dy * dy) / (2 * sigmaY * sigmaY)
                spatial.append(Foundation.exp(-(across + down)))
            }
        }
        // Range weight exp(−d² / 2σ²) for |d| < 4σ, else 0; exp by (1 + x/256)^256 (eight squarings:
        // within 0.2% of exp at one σ, 12% at the 4σ cut-off, where the weight is 3e−4). The loops run in C,
        // vectorized for the widest instruction set the CPU has; every set gives the same bits. `isa`
        // above what the CPU supports is lowered to what it does (tests ask for each). The weights are
        // symmetric (the same for (dy, dx) and (−dy, −dx)), which the C loops use to compute each
        // pair's weight once.
        let exponentScale = -1 / (2 * rangeSigma * rangeSigma) / 256
        let cutoff = 16 * rangeSigma * rangeSigma
        var out = [Float](repeating: 0, count: width * height)
        let status = padded.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { out in
                octarc_bilateral(
                    source.baseAddress, Int32(paddedWidth), Int32(width), Int32(height), Int32(rx), Int32(ry),
                    spatial, exponentScale, cutoff, out.baseAddress, isa)
            }
        }
        precondition(
            status == 0,
            "bilateralFiltered: \(status == -1 ? "out of memory" : "asymmetric window") for a \(width) x \(height) frame"
        )
        return Image(width: width, height: height, pixels: out)
    }
}
