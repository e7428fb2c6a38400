import Archive
import ArgumentParser
import DICOM
import Foundation
import Imaging
import Preprocessing
import Support

/// `octarc debug`: developer views of the pipeline's intermediate results.
struct DebugCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "debug",
        abstract: "Show what the pipeline's stages make of a frame.",
        subcommands: [ROI.self]
    )
}

/// One frame to preprocess: intensities in 0...1 and the scanner's padding.
struct DebugFrame: Sendable {
    var image: Image<Float>
    var padding: PaddingMask?
}

/// Reads frame `index` of `url`: a DICOM OCT instance (intensities and padding exactly as convert reads
/// them, so original and restored files can be compared), or a PNG, which holds one frame (the index is
/// ignored); 8-bit PNGs treat 255 wedges at the column ends as padding (Spectralis exports).
func loadDebugFrame(_ url: URL, index: Int) throws -> DebugFrame {
    guard url.pathExtension.lowercased() == "png" else {
        let instance = try OCTInstance.open(url)
        let image = instance.geometry.intensities(of: try instance.frame(index))
        return DebugFrame(
            image: image,
            padding: instance.geometry.paddingIntensity.flatMap { PaddingMask.edgeRuns(of: $0, in: image) })
    }
    let frame = try PNGFrame.read(url)
    return DebugFrame(image: frame.image, padding: frame.padding)
}

/// `--preprocessing JSON` of the debug commands: the built-in parameters when absent.
func decodePreprocessing(_ json: String?) throws -> PreprocessingParameters {
    guard let json else { return PreprocessingParameters() }
    do {
        return try JSONDecoder().decode(PreprocessingParameters.self, from: Data(json.utf8))
    } catch {
        throw ValidationError(
            "--preprocessing is not a preprocessing object (see Profiles/FORMAT.md): "
                + DecodingErrorText.describe(error))
    }
}

extension DebugCommand {
    struct ROI: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "roi",
            abstract: "Write the boundaries overlay, the despeckled frame and the ROI band of one frame as PNGs.")

        @Argument(help: "A DICOM OCT file (original or restored) or a PNG frame.")
        var file: String

        @Option(help: "Frame number, from 1, as everywhere else in octarc.")
        var frame: Int = 1

        @Option(help: "Directory for the PNGs.")
        var out: String

        @Flag(help: "Print the boundaries as JSON (0-based rows, one per column).")
        var json = false

        @Option(
            help:
                "Preprocessing parameters as JSON (a profile.json's \"preprocessing\" object); default: the built-in ones."
        )
        var preprocessing: String?

        func validate() throws {
            _ = try decodePreprocessing(preprocessing)
        }

        func run() throws {
            let url = URL(fileURLWithPath: file)
            guard frame >= 1 else { throw ValidationError("--frame counts from 1 (got \(frame))") }
            let input = try loadDebugFrame(url, index: frame - 1)
            let parameters = try decodePreprocessing(preprocessing)
            let analysis = Preprocessor(parameters: parameters).analyze(input.image, padding: input.padding)
            let directory = URL(fileURLWithPath: out)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let stem = url.deletingPathExtension().lastPathComponent + (frame == 1 ? "" : "-frame\(frame)")
            try PNG.write(
                Self.overlay(input.image, analysis: analysis),
                to: directory.appendingPathComponent("\(stem)-overlay.png"))
            try PNG.write(
                analysis.despeckled.quantized(maxValue: 255, as: UInt8.self),
                to: directory.appendingPathComponent("\(stem)-despeckled.png"))
            try PNG.write(
                analysis.band.quantized(maxValue: 255, as: UInt8.self),
                to: directory.appendingPathComponent("\(stem)-band.png"))
            if json {
                let boundaries = BoundariesJSON(
                    ilm: analysis.ilm, isos: analysis.boundaries.isos, bm: analysis.bm,
                    lbm: analysis.lbm, retina_found: analysis.retinaFound,
                    noise_sigma: analysis.noiseSigma)
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(boundaries), as: UTF8.self))
            }
        }

        struct BoundariesJSON: Encodable {
            var ilm: [Int]
            var isos: [Int]
            var bm: [Int]
            var lbm: [Int]
            var retina_found: Bool
            var noise_sigma: Float
        }

        /// The frame in gray with ILM green, BM red and LBM yellow (boundaries only when a retina was found).
        static func overlay(_ frame: Image<Float>, analysis: FrameAnalysis) -> Image<RGB> {
            var picture = frame.quantized(maxValue: 255, as: UInt8.self).map { RGB(gray: $0) }
            guard analysis.retinaFound else { return picture }
            for (rows, colour) in [
                (analysis.lbm, RGB(255, 255, 0)), (analysis.bm, RGB(255, 0, 0)), (analysis.ilm, RGB(0, 255, 0)),
            ] {
                for x in 0..<frame.width where rows[x] >= 0 && rows[x] < frame.height { picture[x, rows[x]] = colour }
            }
            return picture
        }
    }
}
