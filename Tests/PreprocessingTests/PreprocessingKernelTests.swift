import CKernels
import Foundation
import Imaging
import TestSupport
import Testing

@testable import Preprocessing

/// The C kernels behind the bilateral filter and the layer search (`CPreprocessingKernels`) are built
/// once per instruction set and chosen at run time. Every set must give the same bits, and the same
/// bits as the plain scalar arithmetic they replace: the despeckled band is what the encoder sees, so
/// a container must not depend on which CPU converted it.
@Suite struct PreprocessingKernelTests {
    /// Every level this CPU runs (generic always; AVX2 and AVX-512 where present).
    static var levels: [octarc_isa] {
        [OCTARC_ISA_GENERIC, OCTARC_ISA_AVX2, OCTARC_ISA_AVX512].filter {
            $0.rawValue <= octarc_kernels_best_isa().rawValue
        }
    }

    /// The bilateral filter pixel by pixel in plain Swift: the same operations in the same order as the
    /// kernel (range weight (1 + d² · scale)^256 by eight squarings, zero at d² ≥ 16σ², times the
    /// spatial weight; sums over the taps in row-major window order).
    static func referenceBilateral(
        _ image: Image<Float>, radiusX rx: Int, radiusY ry: Int, rangeSigma: Float
    )
        -> Image<Float>
    {
        let sigmaX = max(Float(rx) / 1.5, 0.5)
        let sigmaY = max(Float(ry) / 1.5, 0.5)
        let exponentScale = -1 / (2 * rangeSigma * rangeSigma) / 256
        let cutoff = 16 * rangeSigma * rangeSigma
        var out = image
        for y in 0..<image.height {
            for x in 0..<image.width {
                let value = image[x, y]
                var sum: Float = 0
                var weights: Float = 0
                for dy in -ry...ry {
                    for dx in -rx...rx {
                        let across: Float = Float(dx * dx) / (2 * sigmaX * sigmaX)
                        let down: Float = Float(dy * dy) / (2 * sigmaY * sigmaY)
                        let spatial = Foundation.exp(-(across + down))
                        let neighbour = image[
                            min(max(x + dx, 0), image.width - 1), min(max(y + dy, 0), image.height - 1)]
                        let d = neighbour - value
                        let squared = d * d
                        var w = 1 + squared * exponentScale
                        for _ in 0..<8 { w = w * w }
                        w = (squared >= cutoff ? 0 : w) * spatial
                        sum = sum + w * neighbour
                        weights = weights + w
                    }
                }
                out[x, y] = sum / weights
            }
        }
        return out
    }

    /// The layer search's dynamic programme in plain Swift (the implementation the kernel replaced).
    static func referencePath(
        strength: [Float], width: Int, height: Int, maxStep: Int, jumpPenalty: Float,
        allowed: (Int) -> ClosedRange<Int>
    ) -> [Int] {
        let infinity = Float.greatestFiniteMagnitude
        let penalties = (0...maxStep).map { $0 > 1 ? jumpPenalty * Float($0 - 1) : 0 }
        func clamped(_ x: Int) -> ClosedRange<Int> {
            let range = allowed(x)
            let lower = min(max(range.lowerBound, 0), height - 1)
            return lower...min(max(range.upperBound, lower), height - 1)
        }
        var cost = [Float](repeating: infinity, count: height)
        var next = cost
        var from = [Int](repeating: 0, count: width * height)
        var previousRange = clamped(0)
        for y in previousRange { cost[y] = 0 }
        for x in 1..<width {
            let range = clamped(x)
            for y in previousRange { cost[y] -= strength[(x - 1) * height + y] }
            var reached = false
            for y in range {
                var best = infinity
                var bestRow = y
                let lower = max(previousRange.lowerBound, y - maxStep)
                let upper = min(previousRange.upperBound, y + maxStep)
                if lower <= upper {
                    for previous in lower...upper where cost[previous] + penalties[abs(previous - y)] < best {
                        best = cost[previous] + penalties[abs(previous - y)]
                        bestRow = previous
                    }
                }
                if best < infinity {
                    next[y] = best + 2 - strength[x * height + y] + 1e-5
                    reached = true
                } else {
                    next[y] = infinity
                }
                from[x * height + y] = bestRow
            }
            if !reached {
                var bestRow = previousRange.lowerBound
                for y in previousRange where cost[y] < cost[bestRow] { bestRow = y }
                for y in range {
                    next[y] = cost[bestRow] + 2 - strength[x * height + y]
                    from[x * height + y] = bestRow
                }
            }
            for y in previousRange { cost[y] = infinity }
            swap(&cost, &next)
            previousRange = range
        }
        var row = previousRange.lowerBound
        for y in previousRange where cost[y] < cost[row] { row = y }
        var rows = [Int](repeating: 0, count: width)
        for x in stride(from: width - 1, through: 0, by: -1) {
            rows[x] = row
            if x > 0 { row = from[x * height + row] }
        }
        return rows
    }

    /// Frames to filter: a noisy synthetic one of an awkward width (not a multiple of any vector
    /// length) and, where the shared data is present, a real Duke frame.
    static func frames() throws -> [(String, Image<Float>, Float)] {
        let synthetic = AdaptiveDespeckleTests.addingNoise(
            AdaptiveDespeckleTests.layered(width: 173, height: 61), sigma: 0.08, seed: 7)
        var frames = [("synthetic 173 x 61, σ 0.08", synthetic, Float(0.16))]
        if Fixtures.hasSharedData {
            let (frame, padding) = try DevFrames.dukeFrame(30)
            let sigma = NoiseEstimate.sigma(frame, boundaries: nil, padding: padding)
            frames.append(("Duke dev frame 30", frame, 2 * sigma))
        }
        return frames
    }

    @Test func bilateralIsBitIdenticalOnEveryInstructionSetAndToTheScalarArithmetic() throws {
        for (name, frame, rangeSigma) in try Self.frames() {
            let reference = Self.referenceBilateral(frame, radiusX: 4, radiusY: 2, rangeSigma: rangeSigma)
            for isa in Self.levels {
                let filtered = frame.bilateralFiltered(radiusX: 4, radiusY: 2, rangeSigma: rangeSigma, isa: isa)
                let differing = zip(filtered.pixels, reference.pixels).filter { $0.bitPattern != $1.bitPattern }
                #expect(differing.isEmpty, "\(name), isa \(isa.rawValue): \(differing.count) pixels differ")
            }
            // The filter did something (a kernel that copied its input would also be "identical").
            #expect(zip(frame.pixels, reference.pixels).contains { abs($0 - $1) > 0.01 }, "\(name)")
        }
    }

    /// Other windows, frames narrower than the kernel's 16-column chunks, and a width of two chunks
    /// and a tail.
    @Test func bilateralHandlesOtherWindowsAndTinyFrames() {
        for (width, height) in [(5, 3), (37, 9)] {
            let frame = AdaptiveDespeckleTests.addingNoise(
                AdaptiveDespeckleTests.layered(width: width, height: height), sigma: 0.05, seed: 3)
            for (rx, ry) in [(0, 0), (1, 3), (6, 1), (4, 2)] {
                let reference = Self.referenceBilateral(frame, radiusX: rx, radiusY: ry, rangeSigma: 0.1)
                for isa in Self.levels {
                    let filtered = frame.bilateralFiltered(radiusX: rx, radiusY: ry, rangeSigma: 0.1, isa: isa)
                    #expect(
                        filtered.pixels.map(\.bitPattern) == reference.pixels.map(\.bitPattern),
                        "\(width)x\(height), window \(rx)x\(ry)")
                }
            }
        }
    }

    @Test func layerSearchMatchesTheScalarProgrammeOnEveryInstructionSet() throws {
        var generator = SeededGenerator(seed: 11)
        let width = 97
        let height = 83
        var cases: [(String, [Float], (Int) -> ClosedRange<Int>)] = []
        let random = (0..<(width * height)).map { _ in Float.random(in: 0...1, using: &generator) }
        cases.append(("random, every row", random, { _ in 0...(height - 1) }))
        // A band that wanders and ranges beyond the grid (clamped), and one column out of reach of the
        // previous one (the path restarts there).
        cases.append(("random, wandering band", random, { x in (x * 3 % 50 - 10)...(x * 3 % 50 + 12) }))
        cases.append(("random, unreachable column", random, { x in x == 40 ? 70...80 : 0...20 }))
        // Ties everywhere: a constant grid (ties go to the smaller row).
        cases.append(("constant", [Float](repeating: 0.5, count: width * height), { _ in 0...(height - 1) }))
        for (name, strength, allowed) in cases {
            for (maxStep, penalty) in [(4, Float(0.5)), (6, 0.5), (3, 1), (1, 0)] {
                let reference = Self.referencePath(
                    strength: strength, width: width, height: height, maxStep: maxStep, jumpPenalty: penalty,
                    allowed: allowed)
                for isa in Self.levels {
                    let path = ShortestPath(maxStep: maxStep, jumpPenalty: penalty).path(
                        strength: strength, width: width, height: height, isa: isa, allowed: allowed)
                    #expect(path == reference, "\(name), step \(maxStep), isa \(isa.rawValue)")
                }
            }
        }
    }
}
