import Foundation
import Imaging
import Preprocessing
import TestSupport
import Testing

/// Band margins in µm (issue 11): at least 200 µm above the ILM and 400 µm below Bruch's membrane,
/// converted with the frame's own row spacing; profiles without them keep their row margins.
@Suite struct PhysicalMarginTests {
    @Test func micrometresBecomeRowsOfThisFrame() {
        var parameters = PreprocessingParameters()
        #expect(parameters.margins(rowSpacingMicrometres: 3.87) == (16, 32))
        parameters.topMarginMicrometres = 200
        parameters.bottomMarginMicrometres = 400
        #expect(parameters.margins(rowSpacingMicrometres: 3.87) == (52, 104))  // Spectralis
        #expect(parameters.margins(rowSpacingMicrometres: 4.5) == (45, 89))  // Bioptigen
        #expect(parameters.margins(rowSpacingMicrometres: 20) == (16, 32))  // coarse rows: the row minimum
        #expect(parameters.margins(rowSpacingMicrometres: nil) == (16, 32))
        #expect(parameters.margins(rowSpacingMicrometres: .nan) == (16, 32))
    }

    @Test func oldProfileParametersDecodeWithoutThem() throws {
        let json =
            #"{"despeckle": {"method": "gaussian", "strength": 2, "horizontal_ratio": 3}, "band_height": 256, "top_margin": 16, "bottom_margin": 32, "size_multiple": 32}"#
        let parameters = try JSONDecoder().decode(PreprocessingParameters.self, from: Data(json.utf8))
        #expect(parameters.topMarginMicrometres == nil && parameters.bottomMarginMicrometres == nil)
        #expect(parameters == PreprocessingParameters())
    }

    @Test(.enabled(if: Fixtures.hasSharedData)) func theBandKeepsVitreousAndChoroid() throws {
        let (frame, padding) = try DevFrames.dukeFrame(31)
        var parameters = PreprocessingParameters()
        parameters.topMarginMicrometres = 200
        parameters.bottomMarginMicrometres = 400
        let analysis = Preprocessor(parameters: parameters).analyze(
            frame, padding: padding, rowSpacingMicrometres: 3.87)
        try #require(analysis.retinaFound)
        let geometry = analysis.geometry
        for x in 0..<frame.width {
            #expect(geometry.top[x] <= analysis.ilm[x] - 52, "column \(x)")
            #expect(geometry.bottom[x] >= analysis.bm[x] + 104, "column \(x)")
        }
        // The band grew to hold it, in whole multiples of the codec's size.
        #expect(geometry.bandHeight % parameters.sizeMultiple == 0)
        let rows = zip(geometry.top, geometry.bottom).map { $1 - $0 + 1 }.max()!
        #expect(rows > 256 && geometry.bandHeight >= rows, "tallest column \(rows) rows, band \(geometry.bandHeight)")
        // Inverse still exact inside the ROI.
        let restored = geometry.insertBand(geometry.extractBand(from: frame))
        for x in stride(from: 0, to: frame.width, by: 7) {
            for y in max(geometry.top[x], 0)...min(geometry.bottom[x], frame.height - 1)
            where !(padding?.contains(x: x, y: y) ?? false) {
                #expect(restored[x, y] == frame[x, y])
            }
        }
    }
}
