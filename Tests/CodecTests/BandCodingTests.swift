import Codec
import DICOM
import Foundation
import Imaging
import Preprocessing
import TestSupport
import Testing

/// A real ROI band from the samples through the shipped cr40 profile.
@Suite struct BandCodingTests {
    static let profile = Result { try ProfileLibrary(folders: [Fixtures.profiles]).load("cr40") }

    /// The preprocessed band of Duke sample frame `index`, analysed as convert does (the sample's white
    /// wedges are its Pixel Padding Value 255), and the band's width in frame columns.
    static func band(_ index: Int, preprocessor: Preprocessor? = nil) throws -> (band: Image<Float>, frameWidth: Int) {
        let instance = try OCTInstance.open(Fixtures.samples.appendingPathComponent("duke-subject07-8bit.dcm"))
        let frame = try instance.frame(index).normalized(maxValue: instance.geometry.maxValue)
        let analysis = try (preprocessor ?? profile.get().preprocessor).analyze(
            frame, padding: PaddingMask.edgeRuns(of: 1, in: frame))
        return (analysis.band, analysis.geometry.frameWidth)
    }
}

extension BandCodingTests {
    @Test func encodingIsDeterministicAndDecodesAboveTheFloor() throws {
        let profile = try Self.profile.get()
        let (band, frameWidth) = try Self.band(3)
        let first = try profile.encode(band)
        let second = try profile.encode(band)
        #expect(first.bitstream == second.bitstream)
        #expect(first.symbolCount == Int(profile.symbolsPerPixel * Double(band.width * band.height)))
        // The entropy coder beats fixed-length symbols (log2 L bits each).
        #expect(first.bitsPerSymbol < log2(Double(profile.quantizer.levels)))
        let decoded = try profile.decode(first.bitstream, width: band.width, height: band.height)
        #expect(decoded.pixels.allSatisfy { (0...1).contains($0) })
        // The floor is defined on the band's frame columns (what verify measures).
        let msssim = try Metrics.msSSIM(
            decoded.cropped(x: 0, y: 0, width: frameWidth, height: band.height),
            band.cropped(x: 0, y: 0, width: frameWidth, height: band.height), dataRange: 1)
        #expect(msssim >= profile.document.floors.msssimROI)
        #expect(try profile.decode(first.bitstream, width: band.width, height: band.height) == decoded)
    }

    @Test func damagedBitstreamsAndWrongSizesAreErrors() throws {
        let profile = try Self.profile.get()
        let band = try Self.band(0).band
        let coded = try profile.encode(band)
        #expect(throws: CodecError.self) {
            try profile.decode(Array(coded.bitstream.dropLast(3)), width: band.width, height: band.height)
        }
        #expect(throws: CodecError.self) {
            try profile.decode(coded.bitstream, width: band.width - 32, height: band.height)
        }
        #expect(throws: CodecError.self) { try profile.decode(coded.bitstream, width: 100, height: band.height) }
        #expect(throws: CodecError.self) { try profile.encode(Image(width: 50, height: 64, repeating: 0.5)) }
    }
}
