import Foundation
import Imaging
import Preprocessing
import TestSupport
import Testing

@Suite struct ROIGeometryTests {
    /// Inside the ROI the band round trip is exact; padding comes back as padding; the rest is the
    /// coarse context (band mode) or the background (whole frame); the band has the codec's size.
    static func checkRoundTrip(
        _ frame: Image<Float>, padding: PaddingMask?, parameters: PreprocessingParameters,
        _ label: String
    ) -> ROIGeometry {
        let analysis = Preprocessor(parameters: parameters).analyze(frame, padding: padding)
        let geometry = analysis.geometry
        #expect(geometry.bandWidth % 32 == 0 && geometry.bandWidth >= frame.width, "\(label)")
        #expect(geometry.bandHeight % 32 == 0 && geometry.bandHeight >= parameters.bandHeight, "\(label)")
        let band = geometry.extractBand(from: frame)
        let restored = geometry.insertBand(band)
        #expect((geometry.context != nil) == (geometry.mode == .band), "\(label)")
        let context = geometry.context?.render(width: frame.width, height: frame.height)
        var mismatches = 0
        for x in 0..<frame.width {
            let rows = geometry.roiRows(x)
            for y in 0..<frame.height {
                let expected: Float
                if padding?.contains(x: x, y: y) ?? false {
                    expected = frame[x, y]
                } else if rows.contains(y) {
                    expected = frame[x, y]
                } else if let context {
                    expected = context[x, y]
                } else {
                    expected = y < rows.lowerBound ? geometry.backgroundAbove : geometry.backgroundBelow
                }
                if restored[x, y] != expected { mismatches += 1 }
            }
            // The ROI always spans ILM − margin to LBM (clipped to the frame).
            if analysis.retinaFound {
                #expect(geometry.top[x] <= analysis.ilm[x] - parameters.topMargin, "\(label) column \(x)")
                #expect(geometry.bottom[x] >= analysis.lbm[x], "\(label) column \(x)")
                #expect(geometry.bottom[x] - geometry.top[x] < geometry.bandHeight, "\(label) column \(x)")
            }
        }
        #expect(mismatches == 0, "\(label): \(mismatches) pixels differ after the round trip")
        let mask = geometry.validMask()
        let valid = mask.pixels.filter { $0 }.count
        let roiPixels = (0..<frame.width).map { x in
            geometry.roiRows(x).filter { !(padding?.contains(x: x, y: $0) ?? false) }.count
        }.reduce(0, +)
        #expect(valid == roiPixels, "\(label): valid mask counts \(valid), ROI has \(roiPixels)")
        return geometry
    }
}

extension ROIGeometryTests {
    @Test(.enabled(if: Fixtures.hasSharedData)) func dukeBandsInvertExactly() throws {
        for number in [1, 2, 9, 29, 30, 33, 47, 61] {
            let (frame, padding) = try DevFrames.dukeFrame(number)
            let geometry = Self.checkRoundTrip(
                frame, padding: padding, parameters: PreprocessingParameters(), "bscan\(number)")
            #expect(geometry.mode == .band)
            #expect(geometry.padding == padding)
        }
    }

    @Test(.enabled(if: Fixtures.hasSharedData)) func bioptigenBandsInvertExactly() throws {
        for subject in ["subj13", "subj14"] {
            let url = DevFrames.bioptigen.appendingPathComponent("\(subject)/noisy_test.png")
            let (frame, padding) = try DevFrames.load(url)
            let geometry = Self.checkRoundTrip(frame, padding: padding, parameters: PreprocessingParameters(), subject)
            #expect(geometry.mode == .band && geometry.bandWidth == 928 && geometry.bandHeight == 256)
        }
    }

    /// A retina thicker than the profile's band gets a taller band (next multiple of 32), never a cut.
    @Test(.enabled(if: Fixtures.hasSharedData)) func thickRetinaGetsATallerBand() throws {
        let (frame, padding) = try DevFrames.dukeFrame(31)
        let parameters = PreprocessingParameters(bandHeight: 64)
        let geometry = Self.checkRoundTrip(frame, padding: padding, parameters: parameters, "bscan31 band 64")
        #expect(geometry.bandHeight > 64)
        #expect(
            geometry.bandHeight
                == ROIGeometry.roundedUp(zip(geometry.top, geometry.bottom).map { $1 - $0 + 1 }.max()!, to: 32))
    }

    @Test func edgeRunsFindWedgesButNotTissue() {
        var frame = Image<Float>(width: 6, height: 10, repeating: 0.3)
        for y in 0..<3 { frame[0, y] = 1 }  // top wedge
        for y in 7..<10 { frame[5, y] = 1 }  // bottom wedge
        frame[2, 5] = 1  // saturated tissue pixel
        for y in 0..<10 { frame[3, y] = 1 }  // a column entirely outside the scan
        for y in [0, 1, 9] { frame[1, y] = 1 }  // wedges at both ends of one column
        let mask = PaddingMask.edgeRuns(of: 1, in: frame)
        #expect(mask?.columns[1] == [PaddingMask.Run(start: 0, length: 2), PaddingMask.Run(start: 9, length: 1)])
        #expect(mask?.columns[4] == [])
        #expect(mask?.columns[0] == [PaddingMask.Run(start: 0, length: 3)])
        #expect(mask?.columns[5] == [PaddingMask.Run(start: 7, length: 3)])
        #expect(mask?.columns[2] == [])
        #expect(mask?.columns[3] == [PaddingMask.Run(start: 0, length: 10)])
        #expect(PaddingMask.edgeRuns(of: 1, in: Image(width: 4, height: 4, repeating: 0.5)) == nil)
    }

    @Test func parametersUseSnakeCaseJSON() throws {
        let parameters = PreprocessingParameters(
            despeckle: DespeckleParameters(method: .medianGaussian, strength: 1.5),
            bandHeight: 288, topMargin: 12, bottomMargin: 40)
        let json = String(decoding: try JSONEncoder().encode(parameters), as: UTF8.self)
        for key in [
            "band_height", "top_margin", "bottom_margin", "size_multiple", "horizontal_ratio", "median_gaussian",
        ] {
            #expect(json.contains(key), "missing \(key) in \(json)")
        }
        #expect(try JSONDecoder().decode(PreprocessingParameters.self, from: Data(json.utf8)) == parameters)
    }
}
