import Foundation
import Imaging
import TestSupport
import Testing

@testable import Preprocessing

/// The noise estimate and the noise-adaptive bilateral despeckler of new profiles (issue 11): as strong
/// as a frame's own speckle needs, and keeping lesions that the fixed Gaussian erases.
@Suite struct AdaptiveDespeckleTests {
    /// A smooth layered test frame (no noise), intensities 0.1...0.7.
    static func layered(width: Int = 300, height: Int = 200) -> Image<Float> {
        var image = Image<Float>(width: width, height: height, repeating: 0)
        for y in 0..<height {
            for x in 0..<width {
                image[x, y] = 0.4 + 0.3 * Float(sin(Double(y) / 9 + Double(x) / 80))
            }
        }
        return image
    }

    /// Gaussian noise of σ `sigma` (Box–Muller over a seeded generator).
    static func addingNoise(_ image: Image<Float>, sigma: Float, seed: UInt64) -> Image<Float> {
        var generator = SeededGenerator(seed: seed)
        var out = image
        for i in out.pixels.indices { out.pixels[i] += sigma * Float(generator.gaussian()) }
        return out
    }

    /// Retention of a dark 5 x 9 ellipse (speckle x 0.3) at (cx, cy): mean of (with − without) over the
    /// lesion / the inserted contrast, after `filter`.
    static func cystRetention(_ frame: Image<Float>, cx: Int, cy: Int, filter: (Image<Float>) -> Image<Float>) -> Float
    {
        var with = frame
        var inside: [Int] = []
        for y in (cy - 3)...(cy + 3) {
            for x in (cx - 5)...(cx + 5) {
                let dy = Float(y - cy) / 2.5
                let dx = Float(x - cx) / 4.5
                if dy * dy + dx * dx <= 1 {
                    with[x, y] = frame[x, y] * 0.3
                    inside.append(y * frame.width + x)
                }
            }
        }
        let a = filter(with)
        let b = filter(frame)
        let restored = inside.map { a.pixels[$0] - b.pixels[$0] }.reduce(0, +)
        let inserted = inside.map { with.pixels[$0] - frame.pixels[$0] }.reduce(0, +)
        return restored / inserted
    }

    @Test func theEstimateFollowsTheNoiseAndIgnoresStructure() {
        let clean = Self.layered()
        #expect(NoiseEstimate.sigma(clean, boundaries: nil, padding: nil) < 0.002)
        for sigma: Float in [0.01, 0.05, 0.1] {
            let estimate = NoiseEstimate.sigma(
                Self.addingNoise(clean, sigma: sigma, seed: 7), boundaries: nil, padding: nil)
            #expect(abs(estimate / sigma - 1) < 0.1, "σ \(sigma): estimated \(estimate)")
        }
    }

    @Test func blankTinyAndAllPaddingFramesGiveZero() {
        #expect(NoiseEstimate.sigma(Image(width: 768, height: 496, repeating: 1), boundaries: nil, padding: nil) == 0)
        for (w, h) in [(1, 768), (768, 1), (2, 2), (8, 8)] {
            let frame = Self.addingNoise(Image(width: w, height: h, repeating: 0.5), sigma: 0.1, seed: 1)
            #expect(NoiseEstimate.sigma(frame, boundaries: nil, padding: nil) == 0, "\(w)x\(h)")
            #expect(Despeckler(.adaptive).apply(frame, noiseSigma: 0).pixels == frame.pixels)
        }
        let frame = Self.addingNoise(Self.layered(), sigma: 0.1, seed: 2)
        let allPadding = PaddingMask(Image(width: frame.width, height: frame.height, repeating: true))
        #expect(NoiseEstimate.sigma(frame, boundaries: nil, padding: allPadding) == 0)
    }

    @Test func aNoiselessFrameIsLeftAsItIs() {
        let clean = Self.layered()
        let sigma = NoiseEstimate.sigma(clean, boundaries: nil, padding: nil)
        let out = Despeckler(.adaptive).apply(clean, noiseSigma: sigma)
        let change = zip(out.pixels, clean.pixels).map { abs($0 - $1) }.max()!
        #expect(change < 1.0 / 255, "largest change \(change * 255) grey levels")
    }

    @Test func aDarkCystSurvivesWhereTheGaussianErasesIt() {
        let noisy = Self.addingNoise(Self.layered(), sigma: 0.1, seed: 3)
        let sigma = NoiseEstimate.sigma(noisy, boundaries: nil, padding: nil)
        let adaptive = Self.cystRetention(noisy, cx: 150, cy: 100) {
            Despeckler(.adaptive).apply($0, noiseSigma: sigma)
        }
        let gaussian = Self.cystRetention(noisy, cx: 150, cy: 100) { Despeckler(DespeckleParameters()).apply($0) }
        #expect(adaptive > 0.6, "adaptive keeps \(adaptive)")
        #expect(adaptive > 2 * gaussian, "adaptive \(adaptive), gaussian σy2×σx6 \(gaussian)")
    }

    @Test func paddingIsNeverChanged() {
        let (frame, padding) = DevFrames.syntheticWithPadding()
        #expect(padding != nil)
        let out = Despeckler(.adaptive).apply(frame, padding: padding?.image, noiseSigma: 0.05)
        if let mask = padding?.image {
            for i in mask.pixels.indices where mask.pixels[i] { #expect(out.pixels[i] == frame.pixels[i]) }
        }
    }

    /// Real frames: a scanner-averaged Spectralis frame is estimated clean and a single Bioptigen
    /// B-scan noisy, and on Bioptigen the adaptive filter gets closer to the registered average than
    /// the raw frame while keeping more of an inserted cyst than the Gaussian.
    @Test(.enabled(if: Fixtures.hasSharedData)) func realFramesGetTheStrengthTheyNeed() throws {
        let (duke, dukePadding) = try DevFrames.dukeFrame(31)
        let dukeAnalysis = Preprocessor(parameters: PreprocessingParameters(despeckle: .adaptive)).analyze(
            duke, padding: dukePadding)
        #expect(dukeAnalysis.noiseSigma * 255 < 6, "Spectralis σ \(dukeAnalysis.noiseSigma * 255)")

        for subject in ["subj13", "subj14"] {
            let folder = DevFrames.bioptigen.appendingPathComponent(subject)
            let noisy = try PNG.readGray(folder.appendingPathComponent("noisy_test.png")).image.normalized(
                maxValue: 255)
            let averaged = try PNG.readGray(folder.appendingPathComponent("averaged.png")).image.normalized(
                maxValue: 255)
            let analysis = Preprocessor(parameters: PreprocessingParameters(despeckle: .adaptive)).analyze(noisy)
            #expect(analysis.noiseSigma * 255 > 15, "\(subject) σ \(analysis.noiseSigma * 255)")
            let raw = try Metrics.psnr(noisy, averaged, dataRange: 1)
            let filtered = try Metrics.psnr(analysis.despeckled, averaged, dataRange: 1)
            #expect(filtered > raw + 3, "\(subject): raw \(raw) dB, adaptive \(filtered) dB")
            let cx = noisy.width / 2
            let cy = (analysis.ilm[cx] + analysis.bm[cx]) / 2
            let sigma = analysis.noiseSigma
            let adaptive = Self.cystRetention(noisy, cx: cx, cy: cy) {
                Despeckler(.adaptive).apply($0, noiseSigma: sigma)
            }
            let gaussian = Self.cystRetention(noisy, cx: cx, cy: cy) { Despeckler(DespeckleParameters()).apply($0) }
            #expect(adaptive > gaussian + 0.2, "\(subject): adaptive \(adaptive), gaussian \(gaussian)")
        }
    }
}

extension DevFrames {
    /// For tests that only need "a frame with padding": the layered frame with 255-wedges at both ends.
    static func syntheticWithPadding() -> (Image<Float>, PaddingMask?) {
        var frame = AdaptiveDespeckleTests.addingNoise(AdaptiveDespeckleTests.layered(), sigma: 0.05, seed: 9)
        for y in 0..<frame.height {
            for x in 0..<20 where y > 150 {
                frame[x, y] = 1
                frame[frame.width - 1 - x, y] = 1
            }
        }
        return (frame, PaddingMask.edgeRuns(of: 1, in: frame))
    }
}
