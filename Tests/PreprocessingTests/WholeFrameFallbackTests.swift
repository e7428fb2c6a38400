import Imaging
import Preprocessing
import TestSupport
import Testing

/// Frames without a retina are flagged and coded whole, never guessed.
@Suite struct WholeFrameFallbackTests {
    static func checkWholeFrame(_ frame: Image<Float>, _ label: String) {
        let analysis = Preprocessor().analyze(frame)
        #expect(!analysis.retinaFound, "\(label): a retina was reported")
        let geometry = analysis.geometry
        #expect(geometry.mode == .wholeFrame, "\(label)")
        #expect(geometry.bandWidth % 32 == 0 && geometry.bandWidth >= frame.width)
        #expect(geometry.bandHeight % 32 == 0 && geometry.bandHeight >= frame.height)
        let band = geometry.extractBand(from: frame)
        #expect(band.width == geometry.bandWidth && band.height == geometry.bandHeight)
        #expect(geometry.insertBand(band) == frame, "\(label): whole-frame round trip is not exact")
    }
}

extension WholeFrameFallbackTests {
    @Test func blankFrame() {
        Self.checkWholeFrame(Image(width: 768, height: 496, repeating: 0), "blank")
    }

    @Test func saturatedFrame() {
        Self.checkWholeFrame(Image(width: 500, height: 300, repeating: 1), "saturated")
    }

    @Test func pureNoiseFrames() {
        for seed: UInt32 in [1, 2, 3] {
            Self.checkWholeFrame(DevFrames.noise(width: 768, height: 496, seed: seed), "noise seed \(seed)")
        }
    }

    @Test func smoothedNoiseFrame() {
        // Speckle-like texture without any layer: noise blurred to the segmenter's own scale.
        let frame = DevFrames.noise(width: 640, height: 400, seed: 7).gaussianBlurred(sigmaX: 4, sigmaY: 2)
        Self.checkWholeFrame(frame, "smoothed noise")
    }
}
