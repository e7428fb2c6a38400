import Foundation
import Imaging
import Preprocessing
import TestSupport
import Testing

@Suite struct CoarseContextTests {
    /// Mean absolute difference between `restored` and `original` over the pixels outside the ROI
    /// and off the padding.
    static func errorOutsideROI(_ restored: Image<Float>, _ original: Image<Float>, _ geometry: ROIGeometry) -> Double {
        var sum = 0.0
        var count = 0
        for x in 0..<geometry.frameWidth {
            let rows = geometry.roiRows(x)
            for y in 0..<geometry.frameHeight
            where !rows.contains(y) && !(geometry.padding?.contains(x: x, y: y) ?? false) {
                sum += Double(abs(restored[x, y] - original[x, y]))
                count += 1
            }
        }
        return count > 0 ? sum / Double(count) : 0
    }

    @Test func aSmoothFrameComesBackWithinAQuantizationStepOutsideTheROI() throws {
        let width = 200
        let height = 120
        var frame = Image<Float>(width: width, height: height, repeating: 0)
        for y in 0..<height {
            for x in 0..<width { frame[x, y] = 0.1 + 0.6 * Float(y) / Float(height) + 0.1 * Float(x) / Float(width) }
        }
        let top = [Int](repeating: 40, count: width)
        let bottom = [Int](repeating: 79, count: width)
        let context = CoarseContext.measure(frame: frame, top: top, bottom: bottom, padding: nil)
        #expect(context.rows == 8 && context.columns == 13)
        // Cell rows 3 and 4 (frame rows 48...79) lie wholly inside the ROI (rows 40...79): no level.
        for row in 0..<context.rows {
            for column in 0..<context.columns {
                #expect(context.coded[row * context.columns + column] == !(3...4).contains(row))
            }
        }
        let geometry = ROIGeometry(
            mode: .band, frameWidth: width, frameHeight: height, bandWidth: 224, bandHeight: 64,
            top: top, bottom: bottom, padding: nil, paddingValue: 0, backgroundAbove: 0.2,
            backgroundBelow: 0.6, context: context)
        let decoded = try ROIRecord.decode(ROIRecord.encode(geometry))
        #expect(decoded == geometry)
        let restored = decoded.insertBand(decoded.extractBand(from: frame))
        // A ramp is what bilinear interpolation reproduces: only the quantization (1/32 of the square root) remains.
        #expect(Self.errorOutsideROI(restored, frame, geometry) < 1.0 / 32)
        for x in 0..<width { for y in 40...79 { #expect(restored[x, y] == frame[x, y]) } }
    }

    /// On real Spectralis frames the context makes the frame outside the band close to the original
    /// (vitreous, choroid, sclera) at a few hundred bytes, where the two background levels are far off.
    @Test(.enabled(if: Fixtures.hasSharedData)) func dukeFramesGetTheirSurroundingsBackInAFewHundredBytes() throws {
        var contextBytes = 0
        var frames = 0
        for number in stride(from: 1, through: 61, by: 10) {
            let (frame, padding) = try DevFrames.dukeFrame(number)
            let geometry = Preprocessor().analyze(frame, padding: padding).geometry
            #expect(geometry.mode == .band && geometry.context != nil, "bscan\(number)")
            var flat = geometry
            flat.context = nil
            contextBytes += ROIRecord.encode(geometry).count - ROIRecord.encode(flat).count
            frames += 1
            let band = geometry.extractBand(from: frame)
            let withContext = Self.errorOutsideROI(geometry.insertBand(band), frame, geometry)
            let withLevels = Self.errorOutsideROI(flat.insertBand(band), frame, geometry)
            #expect(withContext < 0.75 * withLevels, "bscan\(number): \(withContext) vs \(withLevels)")
        }
        // 10 % of cr50c's stored bytes on this volume is about 800 bytes a frame.
        #expect(contextBytes / frames < 600, "\(contextBytes / frames) bytes a frame")
    }
}
