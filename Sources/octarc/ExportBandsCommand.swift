import ArgumentParser
import Foundation
import Preprocessing

/// `octarc export-bands`: the ROI bands the codec is trained on, cut by the product's own
/// preprocessing (the training pipeline's entry: Scripts/training/prepare_data.py).
struct ExportBandsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-bands",
        abstract: "Write the preprocessed ROI band (16-bit PNG) and its valid-pixel mask for every input PNG.",
        discussion: """
            The training pipeline's input (Scripts/training/prepare_data.py): each frame goes through the \
            preprocessing convert applies (despeckling, ILM/BM segmentation, the flattened band), so a \
            codec is trained on exactly what convert feeds it. Folders are searched recursively. Outputs \
            mirror the input's path (a folder's own name first): OUT/<path>.band.png holds the band \
            (value x 65535), OUT/<path>.mask.png is 255 where the band holds frame pixels (inside the \
            ROI, not padding, not width padding) and 0 elsewhere. OUT/geometry.jsonl gets one JSON line \
            per input with the band's geometry (input, band, mask, mode, retina_found, frame and band \
            sizes, top and bottom rows per column, record_bytes). 8-bit PNGs treat runs of 255 at the \
            top and bottom of a column as the scanner's padding (Spectralis exports).
            """)

    @Argument(help: "PNG files or folders of PNG files.")
    var inputs: [String]

    @Option(help: "Output directory.")
    var out: String

    @Option(help: "Also write the preprocessing parameters used, as JSON (for a profile's profile.json).")
    var parametersOut: String?

    @Option(
        help:
            "Preprocessing parameters as JSON (a profile.json's \"preprocessing\" object); default: the built-in ones.")
    var preprocessing: String?

    func validate() throws {
        _ = try decodePreprocessing(preprocessing)
    }

    func run() throws {
        let export = BandExport(parameters: try decodePreprocessing(preprocessing))
        if let parametersOut {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(export.preprocessor.parameters).write(
                to: URL(fileURLWithPath: parametersOut), options: .atomic)
        }
        let directory = URL(fileURLWithPath: out)
        let entries = try export.run(inputs.map { URL(fileURLWithPath: $0) }, to: directory)
        print("wrote \(entries.count) bands to \(directory.path)")
    }
}
