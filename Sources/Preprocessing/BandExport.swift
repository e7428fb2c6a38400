import Foundation
import Imaging

/// The training pipeline's input: the preprocessed ROI band of every PNG frame, exactly as convert
/// would cut it, with its valid-pixel mask and geometry (`octarc export-bands`, run by
/// `Scripts/training/prepare_data.py`).
///
/// Outputs mirror each input's path (a folder's own name first): `OUT/<path>.band.png` holds the
/// band (16-bit, value x 65535), `OUT/<path>.mask.png` is 255 where the band holds frame pixels
/// (inside the ROI, not padding, not width padding) and 0 elsewhere, and `OUT/geometry.jsonl` gets
/// one `Entry` per input, in input order.
///
/// ```swift
/// let export = BandExport(parameters: PreprocessingParameters())
/// let entries = try export.run([URL(fileURLWithPath: "frames")], to: URL(fileURLWithPath: "bands"))
/// ```
public struct BandExport: Sendable {
    /// One line of `geometry.jsonl`: where an input's band and mask went, and the band's geometry.
    public struct Entry: Codable, Equatable, Sendable {
        /// The input's path as mirrored under the output folder (ends in .png).
        public var input: String
        public var band: String
        public var mask: String
        public var retinaFound: Bool
        /// "band", or "whole_frame" when no retina was found and the whole frame is coded.
        public var mode: String
        public var frameWidth: Int
        public var frameHeight: Int
        public var bandWidth: Int
        public var bandHeight: Int
        /// The band's top and bottom row in the frame, per column.
        public var top: [Int]
        public var bottom: [Int]
        /// Bytes of the frame's ROI record in a container.
        public var recordBytes: Int

        enum CodingKeys: String, CodingKey {
            case input, band, mask, mode, top, bottom
            case retinaFound = "retina_found"
            case frameWidth = "frame_width"
            case frameHeight = "frame_height"
            case bandWidth = "band_width"
            case bandHeight = "band_height"
            case recordBytes = "record_bytes"
        }
    }

    /// An input that cannot be exported, with the reason.
    public struct Failure: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "\(path): \(reason)" }
    }

    /// The file in the output folder that lists every band's geometry.
    public static let geometryFileName = "geometry.jsonl"

    public let preprocessor: Preprocessor

    public init(parameters: PreprocessingParameters) {
        preprocessor = Preprocessor(parameters: parameters)
    }

    /// Exports every PNG named in `inputs` or inside a folder of them (searched recursively) into
    /// `directory`, and writes `geometry.jsonl` there.
    @discardableResult
    public func run(_ inputs: [URL], to directory: URL) throws -> [Entry] {
        var entries: [Entry] = []
        for (url, relative) in try Self.pngFiles(inputs) {
            entries.append(try export(url, relative: relative, to: directory))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let lines = try entries.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data((lines.joined(separator: "\n") + "\n").utf8)
            .write(to: directory.appendingPathComponent(Self.geometryFileName), options: .atomic)
        return entries
    }

    /// Preprocesses one frame and writes its band and mask.
    func export(_ url: URL, relative: String, to directory: URL) throws -> Entry {
        let frame = try PNGFrame.read(url)
        let analysis = preprocessor.analyze(frame.image, padding: frame.padding)
        let stem = String(relative.dropLast(4))
        let base = directory.appendingPathComponent(stem)
        try FileManager.default.createDirectory(at: base.deletingLastPathComponent(), withIntermediateDirectories: true)
        try PNG.write(
            analysis.band.quantized(maxValue: 65535, as: UInt16.self), to: URL(fileURLWithPath: base.path + ".band.png")
        )
        try PNG.write(
            analysis.geometry.validMask().map { $0 ? UInt8(255) : 0 }, to: URL(fileURLWithPath: base.path + ".mask.png")
        )
        let geometry = analysis.geometry
        return Entry(
            input: relative, band: stem + ".band.png", mask: stem + ".mask.png", retinaFound: analysis.retinaFound,
            mode: geometry.mode == .band ? "band" : "whole_frame", frameWidth: geometry.frameWidth,
            frameHeight: geometry.frameHeight, bandWidth: geometry.bandWidth, bandHeight: geometry.bandHeight,
            top: geometry.top, bottom: geometry.bottom, recordBytes: ROIRecord.encode(geometry).count)
    }

    /// Every PNG named or inside a named folder, sorted within each folder, with the relative path
    /// its outputs mirror (a file: its name; inside a folder: the folder's name, then the path within it).
    public static func pngFiles(_ inputs: [URL]) throws -> [(url: URL, relative: String)] {
        var found: [(url: URL, relative: String)] = []
        for input in inputs {
            let url = input.standardizedFileURL
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                throw Failure(path: input.path, reason: "no such file or folder")
            }
            guard isDirectory.boolValue else {
                found.append((url, url.lastPathComponent))
                continue
            }
            let root = url.path.hasSuffix("/") ? url.path : url.path + "/"
            var inFolder: [(url: URL, relative: String)] = []
            let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil)
            while let item = walker?.nextObject() as? URL {
                let path = item.standardizedFileURL.path
                guard path.lowercased().hasSuffix(".png"), path.hasPrefix(root) else { continue }
                inFolder.append((item, url.lastPathComponent + "/" + path.dropFirst(root.count)))
            }
            found += inFolder.sorted { $0.relative < $1.relative }
        }
        return found
    }
}
