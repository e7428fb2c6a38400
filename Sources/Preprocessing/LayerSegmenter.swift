import Foundation
import Imaging

/// Finds the ILM and Bruch's membrane in every column by graph search over vertical gradients
/// (Chiu et al. 2010), and decides whether the frame shows a retina at all.
///
/// 1. Padding pixels are set to the frame's background level and the frame is smoothed
///    (Gaussian σ 4 across, 2 down); the vertical gradient is taken by central differences and
///    normalized to 0...1 separately for dark-to-bright and bright-to-dark transitions, with
///    gradients next to padding zeroed (the wedges are not edges).
/// 2. The two strongest dark-to-bright paths, the second one kept away from the first, are the
///    ILM (the upper) and the IS/OS junction (the lower).
/// 3. BM is the strongest bright-to-dark path in a window below the IS/OS.
/// 4. The retina counts as found when the ILM has clear contrast (well above what the noise of the
///    smoothed frame can produce) in most columns, the RPE is brighter than what lies below it,
///    and the thickness is plausible. Otherwise `retinaFound` is false and nothing is guessed.
public struct LayerSegmenter: Sendable {
    /// Smoothing before the gradient.
    static let sigmaX: Float = 4, sigmaY: Float = 2
    /// Rows around the first path that the second may not use.
    static let exclusion = 14
    /// Rows between the ILM and the IS/OS at least (the foveal pit is thinner than any real gap).
    static let minimumGap = 8
    /// BM is searched from `bmSearchStart` to `bmSearchEnd` rows below the IS/OS.
    static let bmSearchStart = 3, bmSearchEnd = 45
    /// Gradients within this many rows of padding are zeroed.
    static let paddingGuard = 4

    public init() {}

    /// The boundaries of `frame` (intensities in 0...1); `padding` marks pixels outside the scan.
    public func segment(_ frame: Image<Float>, padding: Image<Bool>? = nil) -> LayerBoundaries {
        let width = frame.width, height = frame.height
        let notFound = LayerBoundaries(ilm: Array(repeating: 0, count: width), isos: Array(repeating: 0, count: width),
                                       bm: Array(repeating: 0, count: width), retinaFound: false)
        guard width >= 2, height >= 32 else { return notFound }
        let isPadding: (Int) -> Bool = { index in padding?.pixels[index] ?? false }
        var samples: [Float] = []
        samples.reserveCapacity(frame.pixels.count / 7 + 1)
        for i in stride(from: 0, to: frame.pixels.count, by: 7) where !isPadding(i) { samples.append(frame.pixels[i]) }
        guard samples.count * 7 >= frame.pixels.count / 10 else { return notFound }
        samples.sort()
        let background = samples[samples.count / 10]

        var filled = frame
        if padding != nil {
            for i in 0..<filled.pixels.count where isPadding(i) { filled.pixels[i] = background }
        }
        let smooth = filled.gaussianBlurred(sigmaX: Self.sigmaX, sigmaY: Self.sigmaY)
        let nearPadding = Self.paddingNeighbourhood(padding, guard: Self.paddingGuard)

        // Column-major vertical gradient, positive where the image gets brighter downwards.
        var gradient = [Float](repeating: 0, count: width * height)
        smooth.pixels.withUnsafeBufferPointer { s in
            for x in 0..<width {
                for y in 1..<(height - 1) where !(nearPadding?[y * width + x] ?? false) {
                    gradient[x * height + y] = s[(y + 1) * width + x] - s[(y - 1) * width + x]
                }
            }
        }
        let darkToBright = Self.normalized(gradient, sign: 1)
        let brightToDark = Self.normalized(gradient, sign: -1)

        let search = ShortestPath(maxStep: 4, jumpPenalty: 0.5)
        let all = 0...(height - 1)
        let first = search.path(strength: darkToBright, width: width, height: height) { _ in all }
        var masked = darkToBright
        for x in 0..<width {
            for y in max(0, first[x] - Self.exclusion)...min(height - 1, first[x] + Self.exclusion) {
                masked[x * height + y] = -2
            }
        }
        let second = search.path(strength: masked, width: width, height: height) { _ in all }
        // The two paths may swap layers where they cross; per column, the upper one is near the
        // ILM and the lower one near the IS/OS. Refine each with the other as a fence.
        let lower = zip(first, second).map { max($0, $1) }
        let ilm = search.path(strength: darkToBright, width: width, height: height) { x in
            0...max(0, lower[x] - Self.minimumGap)
        }
        let isos = search.path(strength: darkToBright, width: width, height: height) { x in
            min(ilm[x] + Self.minimumGap, height - 1)...(height - 1)
        }
        let bm = search.path(strength: brightToDark, width: width, height: height) { x in
            let lower = min(isos[x] + Self.bmSearchStart, height - 1)
            return lower...min(isos[x] + Self.bmSearchEnd, height - 1)
        }

        let found = Self.looksLikeRetina(frame: frame, smooth: smooth, padding: padding, ilm: ilm, bm: bm)
        return LayerBoundaries(ilm: ilm, isos: isos, bm: bm, retinaFound: found)
    }

    /// Gradient strengths of one sign scaled to 0...1 by their 99.5th percentile.
    static func normalized(_ gradient: [Float], sign: Float) -> [Float] {
        var positive: [Float] = []
        positive.reserveCapacity(gradient.count / 8)
        for i in stride(from: 0, to: gradient.count, by: 3) where gradient[i] * sign > 0 { positive.append(gradient[i] * sign) }
        guard !positive.isEmpty else { return [Float](repeating: 0, count: gradient.count) }
        positive.sort()
        let scale = max(positive[min(positive.count - 1, positive.count * 995 / 1000)], 1e-6)
        return gradient.map { min(max($0 * sign / scale, 0), 1) }
    }

    /// Pixels within `guard` rows of a padding pixel (row-major), or nil without padding.
    static func paddingNeighbourhood(_ padding: Image<Bool>?, guard distance: Int) -> [Bool]? {
        guard let padding, padding.pixels.contains(true) else { return nil }
        var near = padding.pixels
        let width = padding.width, height = padding.height
        for x in 0..<width {
            for y in 0..<height where padding.pixels[y * width + x] {
                for row in max(0, y - distance)...min(height - 1, y + distance) { near[row * width + x] = true }
            }
        }
        return near
    }

    /// Whether the boundaries describe a retina rather than noise (see the type's discussion).
    static func looksLikeRetina(frame: Image<Float>, smooth: Image<Float>, padding: Image<Bool>?,
                                ilm: [Int], bm: [Int]) -> Bool {
        let width = frame.width, height = frame.height
        // Noise of the smoothed frame: the frame's high-pass residual (robust σ) times the
        // smoothing kernel's noise gain.
        var residuals: [Float] = []
        for i in stride(from: 0, to: frame.pixels.count, by: 5) where !(padding?.pixels[i] ?? false) {
            residuals.append(abs(frame.pixels[i] - smooth.pixels[i]))
        }
        guard !residuals.isEmpty else { return false }
        residuals.sort()
        let noise = 1.4826 * residuals[residuals.count / 2]
        let energyX: Float = GaussianKernel.weights(sigma: sigmaX).reduce(0) { $0 + $1 * $1 }
        let energyY: Float = GaussianKernel.weights(sigma: sigmaY).reduce(0) { $0 + $1 * $1 }
        let gain = (energyX * energyY).squareRoot()
        let threshold = max(0.03, 8 * noise * gain)

        func mean(_ x: Int, _ rows: ClosedRange<Int>) -> Float? {
            var sum: Float = 0
            var count = 0
            for y in rows where y >= 0 && y < height && !(padding.map { $0[x, y] } ?? false) {
                sum += smooth[x, y]
                count += 1
            }
            return count > 0 ? sum / Float(count) : nil
        }
        var columns = 0, ilmContrast = 0, rpeContrast = 0, plausible = 0
        for x in 0..<width {
            guard let above = mean(x, (ilm[x] - 10)...(ilm[x] - 3)), let below = mean(x, (ilm[x] + 2)...(ilm[x] + 9)),
                  let rpe = mean(x, (bm[x] - 5)...bm[x]), let choroid = mean(x, (bm[x] + 4)...(bm[x] + 12)) else { continue }
            columns += 1
            if below - above > threshold { ilmContrast += 1 }
            if rpe - choroid > threshold / 2 { rpeContrast += 1 }
            let thickness = bm[x] - ilm[x]
            if thickness >= 20 && thickness <= height * 3 / 4 { plausible += 1 }
        }
        guard columns >= width / 4 else { return false }
        return ilmContrast * 10 >= columns * 6 && rpeContrast * 10 >= columns * 6 && plausible * 10 >= columns * 6
    }
}
