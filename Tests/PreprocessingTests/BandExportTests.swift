import Foundation
import Imaging
import Preprocessing
import TestSupport
import Testing

/// `BandExport`, behind `octarc export-bands`: the training pipeline's bands (Scripts/training/prepare_data.py).
@Suite struct BandExportTests {}

extension BandExportTests {
    /// Each PNG's band and mask mirror its path, hold what the preprocessor cuts from that frame,
    /// and geometry.jsonl lists them in input order as the training pipeline reads them.
    @Test func bandsMasksAndGeometryMirrorTheInputs() throws {
        let root = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let frames = root.appendingPathComponent("frames")
        try FileManager.default.createDirectory(
            at: frames.appendingPathComponent("sub"), withIntermediateDirectories: true)
        let picture = DevFrames.syntheticWithPadding().0.quantized(maxValue: 255, as: UInt8.self)
        try PNG.write(picture, to: frames.appendingPathComponent("sub/a.png"))
        try PNG.write(picture, to: frames.appendingPathComponent("b.png"))
        let out = root.appendingPathComponent("out")

        let entries = try BandExport(parameters: PreprocessingParameters()).run([frames], to: out)
        #expect(entries.map(\.input) == ["frames/b.png", "frames/sub/a.png"])
        #expect(entries.map(\.band) == ["frames/b.band.png", "frames/sub/a.band.png"])
        let lines = try String(contentsOf: out.appendingPathComponent(BandExport.geometryFileName), encoding: .utf8)
            .split(separator: "\n")
        #expect(try lines.map { try JSONDecoder().decode(BandExport.Entry.self, from: Data($0.utf8)) } == entries)
        #expect(lines.first?.contains("\"band_height\":") == true && lines.first?.contains("\"retina_found\":") == true)

        let frame = try PNGFrame.read(frames.appendingPathComponent("b.png"))
        #expect(frame.padding != nil)
        let expected = Preprocessor(parameters: PreprocessingParameters()).analyze(frame.image, padding: frame.padding)
        for entry in entries {
            #expect(entry.frameWidth == picture.width && entry.frameHeight == picture.height)
            #expect(entry.retinaFound == expected.retinaFound && entry.top == expected.geometry.top)
            let band = try PNG.readGray(out.appendingPathComponent(entry.band))
            #expect(band.bitDepth == 16 && band.image.width == entry.bandWidth && band.image.height == entry.bandHeight)
            #expect(band.image.pixels == expected.band.quantized(maxValue: 65535, as: UInt16.self).pixels)
            let mask = try PNG.readGray(out.appendingPathComponent(entry.mask))
            #expect(mask.bitDepth == 8)
            #expect(mask.image.pixels == expected.geometry.validMask().pixels.map { $0 ? 255 : 0 })
        }
    }

    @Test func aMissingInputIsNamed() throws {
        let missing = URL(fileURLWithPath: "/nonexistent/octarc/frames")
        #expect(throws: BandExport.Failure.self) {
            try BandExport(parameters: PreprocessingParameters()).run([missing], to: missing)
        }
    }
}
