import Codec
import Container
import DICOM
import Foundation
import Imaging
import Preprocessing

/// `octarc verify`: per-frame fidelity of restored OCT (restored DICOM or `.octz` containers) against
/// the originals, paired by SOP Instance UID (a restored file names its source in its Derivation Image
/// functional group; a container records it in its header).
public struct Verifier: Sendable {
    public struct Options: Sendable {
        public var originals: URL
        public var restored: URL
        public var jobs: Int
        /// The profile to preprocess with when verifying restored DICOM (default: the profile named
        /// in the restored files' Derivation Description).
        public var profile: String?
        /// Write each frame's preprocessed ROI band here as PNG.
        public var exportROI: URL?
        public var quiet: Bool
        /// The originals to measure (a shard's files); nil scans all of `originals`.
        public var originalFiles: [URL]?
        /// The containers to measure (a shard's); nil finds them from `restored`.
        public var restoredContainers: [URL]?

        public init(originals: URL, restored: URL, jobs: Int, profile: String? = nil, exportROI: URL? = nil,
                    quiet: Bool = false, originalFiles: [URL]? = nil, restoredContainers: [URL]? = nil) {
            self.originalFiles = originalFiles
            self.restoredContainers = restoredContainers
            self.originals = originals
            self.restored = restored
            self.jobs = jobs
            self.profile = profile
            self.exportROI = exportROI
            self.quiet = quiet
        }
    }

    /// A restored frame and what its container says about it.
    struct RestoredFrame {
        var pixels: Image<UInt16>
        var roi: ROIGeometry?
        var recordBytes: Int?
        var bitstreamBytes: Int?
    }

    /// An original instance and where its restored frames come from.
    struct Pair: Sendable {
        var original: OCTInstance
        var codec: FrameCodec
        var storedCR: Double
        var restored: @Sendable (Int) throws -> RestoredFrame
    }

    public let options: Options
    private let profiles: ProfileCache
    private let library: ProfileLibrary

    public init(library: ProfileLibrary, options: Options) {
        self.options = options
        self.library = library
        self.profiles = ProfileCache(library: library)
    }

    public func run() throws -> (report: VerifyReport, worst: [WorstFrame]) {
        let originals = options.originalFiles.map { StudyArchive.scan($0) } ?? StudyArchive.scan(options.originals)
        let bySOP = Dictionary(originals.instances.map { ($0.sopInstanceUID, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        let pairs = try pairsFromContainers(bySOP, &problems) ?? pairsFromDICOM(bySOP, &problems)
        guard !pairs.isEmpty else {
            throw ArchiveError.mismatch("no restored instance of \(options.restored.path) pairs with an original in \(options.originals.path)"
                                        + (problems.isEmpty ? "" : ": " + problems.joined(separator: "; ")))
        }
        let floor = pairs[0].codec.profile.document.floors.msssimROI
        let jobs = pairs.flatMap { pair in (0..<pair.original.geometry.numberOfFrames).map { (pair, $0) } }
        let progress = Progress(label: "verify", total: jobs.count, quiet: options.quiet)
        var frames: [VerifyReport.Frame] = []
        let exportROI = options.exportROI
        if let exportROI { try FileManager.default.createDirectory(at: exportROI, withIntermediateDirectories: true) }
        ParallelFrames(jobs: options.jobs).run(count: jobs.count, work: { i -> Result<VerifyReport.Frame, Error> in
            let (pair, frame) = jobs[i]
            return Result {
                do {
                    return try Self.evaluate(pair: pair, frame: frame, floor: floor, exportROI: exportROI)
                } catch {
                    throw ArchiveError.frameFailed(file: pair.original.url.path, frame: frame,
                                                   frameCount: pair.original.geometry.numberOfFrames, reason: "\(error)")
                }
            }
        }, consume: { _, result in
            switch result {
            case .success(let frame): frames.append(frame)
            case .failure(let error): problems.append("\(error)")
            }
            progress.advance()
        })
        progress.finish()
        let bits = pairs[0].original.geometry.bitsStored
        let storedCR = Self.overallRatio(pairs.map { ($0.storedCR, $0.original.geometry.frameByteCount * $0.original.geometry.numberOfFrames) })
        let summary = VerifyReport.Summary(frames: frames, profile: pairs[0].codec.profile.name, storedCR: storedCR,
                                           codecCR: pairs[0].codec.profile.codecCompressionRatio(bitsPerPixel: bits),
                                           floor: floor)
        let report = VerifyReport(summary: summary, frames: frames, problems: problems)
        let worst = try worstFrames(report, pairs: pairs, count: 3)
        return (report, worst)
    }

    /// The mean compression ratio of several series weighted by frames: total original over total stored.
    /// All original bytes over all stored bytes, from each instance's ratio and original byte count
    /// (what convert reports for the same series).
    static func overallRatio(_ ratios: [(ratio: Double, originalBytes: Int)]) -> Double {
        let original = ratios.reduce(0) { $0 + Double($1.originalBytes) }
        return original / ratios.reduce(0) { $0 + Double($1.originalBytes) / $1.ratio }
    }

    /// Pairs from `.octz` containers, or nil when the restored path holds none.
    private func pairsFromContainers(_ originals: [String: OCTInstance], _ problems: inout [String]) throws -> [Pair]? {
        guard let containers = options.restoredContainers ?? (try? ContainerFiles.find(options.restored)) else { return nil }
        var pairs: [Pair] = []
        for url in containers {
            do {
                let reader = try OctzReader(url: url)
                let codec = try profiles.codec(for: reader)
                let storedCR = Restorer.storedCompressionRatio(reader)
                for (index, info) in reader.header.instances.enumerated() {
                    guard let original = originals[info.sopInstanceUID] else {
                        problems.append("\(url.path): no original for instance \(info.sopInstanceUID)")
                        continue
                    }
                    let geometry = FrameGeometry(info.geometry)
                    guard geometry == original.geometry else {
                        problems.append("\(url.path): instance \(info.sopInstanceUID) has another geometry than \(original.url.path)")
                        continue
                    }
                    pairs.append(Pair(original: original, codec: codec, storedCR: storedCR) { frame in
                        guard let recordIndex = reader.recordIndex(instance: index, frame: frame) else {
                            throw ArchiveError.corruptRecord("\(url.path): no record for frame \(frame + 1)")
                        }
                        let record = try reader.record(at: recordIndex)
                        return RestoredFrame(pixels: try codec.decode(record, geometry: geometry),
                                             roi: try FrameCodec.roiGeometry(of: record),
                                             recordBytes: reader.recordLocations[recordIndex].length,
                                             bitstreamBytes: record.bitstream.count)
                    })
                }
            } catch {
                problems.append("\(error)")
            }
        }
        return pairs
    }

    /// Pairs from restored DICOM files.
    private func pairsFromDICOM(_ originals: [String: OCTInstance], _ problems: inout [String]) throws -> [Pair] {
        let restored = StudyArchive.scan(options.restored)
        problems += restored.skipped.map { "\($0.url.path): \($0.reason)" }
        var pairs: [Pair] = []
        for instance in restored.instances {
            do {
                guard let source = instance.sourceSOPInstanceUID else {
                    throw ArchiveError.mismatch("\(instance.url.path): not a restored instance (no uncompressed predecessor referenced)")
                }
                guard let original = originals[source] else {
                    throw ArchiveError.mismatch("\(instance.url.path): its original \(source) is not in \(options.originals.path)")
                }
                guard instance.geometry.numberOfFrames == original.geometry.numberOfFrames,
                      instance.geometry.rows == original.geometry.rows, instance.geometry.columns == original.geometry.columns else {
                    throw ArchiveError.mismatch("\(instance.url.path): holds \(instance.geometry.numberOfFrames) frames of "
                                                + "\(instance.geometry.columns)x\(instance.geometry.rows), the original "
                                                + "\(original.geometry.numberOfFrames) of \(original.geometry.columns)x\(original.geometry.rows)"
                                                + " (verify compares whole instances: restore without --frames)")
                }
                let header = try instance.headerDataset()
                let name = try options.profile ?? Self.profileName(in: header, file: instance.url.path)
                let codec = FrameCodec(profile: try library.load(name))
                let storedCR = try Self.lastCompressionRatio(in: header) ?? .nan
                pairs.append(Pair(original: original, codec: codec, storedCR: storedCR) { frame in
                    RestoredFrame(pixels: try instance.frame(frame), roi: nil, recordBytes: nil, bitstreamBytes: nil)
                })
            } catch {
                problems.append("\(error)")
            }
        }
        return pairs
    }

    /// The profile named in a restored file's Derivation Description ("... profile NAME (...").
    static func profileName(in header: HeaderDataset, file: String) throws -> String {
        let descriptions = try header.attributes().filter { $0.tag == DICOMTag(0x0008, 0x2111) }.map(\.text)
        for text in descriptions {
            if let range = text.range(of: "profile ") {
                let name = text[range.upperBound...].prefix { !$0.isWhitespace && $0 != "(" && $0 != "," }
                if !name.isEmpty { return String(name) }
            }
        }
        throw ArchiveError.mismatch("\(file): no octarc profile named in its Derivation Description; pass --profile")
    }

    /// The last value of Lossy Image Compression Ratio (0028,2112): the latest compression's ratio.
    static func lastCompressionRatio(in header: HeaderDataset) throws -> Double? {
        try header.string(DICOMTag(0x0028, 0x2112))?.split(separator: "\\").last
            .flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Measures one frame.
    static func evaluate(pair: Pair, frame: Int, floor: Double, exportROI: URL?) throws -> VerifyReport.Frame {
        let geometry = pair.original.geometry
        let original = FrameCodec.intensities(try pair.original.frame(frame), geometry: geometry)
        let restoredFrame = try pair.restored(frame)
        let restored = FrameCodec.intensities(restoredFrame.pixels, geometry: geometry)
        let padding = FrameCodec.padding(original, geometry: geometry).mask
        let analysis = pair.codec.profile.preprocessor.analyze(original, padding: padding)
        let roi = restoredFrame.roi ?? analysis.geometry
        let referenceBand = roi.extractBand(from: analysis.despeckled).cropped(x: 0, y: 0, width: roi.frameWidth, height: roi.bandHeight)
        let restoredBand = roi.extractBand(from: restored).cropped(x: 0, y: 0, width: roi.frameWidth, height: roi.bandHeight)
        let roiScores = try Metrics.compare(restoredBand, referenceBand, dataRange: 1)
        let frameScores = try Metrics.compare(restored, original, dataRange: 1, excluding: padding?.image)
        if let exportROI {
            let name = "\(pair.original.sopInstanceUID)-f\(String(format: "%03d", frame + 1))-roi.png"
            let url = exportROI.appendingPathComponent(name)
            if geometry.bitsStored <= 8 {
                try PNG.write(referenceBand.quantized(maxValue: 255, as: UInt8.self), to: url)
            } else {
                try PNG.write(referenceBand.quantized(maxValue: 65535, as: UInt16.self), to: url)
            }
        }
        var result = VerifyReport.Frame(
            sopInstanceUID: pair.original.sopInstanceUID, frame: frame + 1,
            msssimROI: roiScores.msSSIM, ssimROI: roiScores.ssim, psnrROI: roiScores.psnr,
            msssimFrame: frameScores.msSSIM, ssimFrame: frameScores.ssim, psnrFrame: frameScores.psnr,
            roiBand: roi.mode == .band, belowFloor: roiScores.msSSIM < floor)
        if analysis.retinaFound {
            let found = LayerSegmenter().segment(restored, padding: padding)
            let columns = (0..<geometry.columns).filter { x in !(padding?.columns[x].contains { $0.length == geometry.rows } ?? false) }
            (result.ilmShiftPx, result.ilmShiftMaxPx) = shift(analysis.ilm, found.ilm, columns)
            (result.bmShiftPx, result.bmShiftMaxPx) = shift(analysis.bm, found.bm, columns)
        }
        result.recordBytes = restoredFrame.recordBytes
        result.bitstreamBytes = restoredFrame.bitstreamBytes
        let frameBits = Double(geometry.frameByteCount * 8)
        result.recordCR = restoredFrame.recordBytes.map { frameBits / Double($0 * 8) }
        result.entropyCodedCR = restoredFrame.bitstreamBytes.map {
            Double(roi.bandWidth * roi.bandHeight * geometry.bitsStored) / Double($0 * 8)
        }
        return result
    }

    private static func shift(_ a: [Int], _ b: [Int], _ columns: [Int]) -> (Double?, Double?) {
        guard !columns.isEmpty else { return (nil, nil) }
        let differences = columns.map { Double(abs(a[$0] - b[$0])) }
        return (differences.reduce(0, +) / Double(differences.count), differences.max())
    }

    /// The `count` frames with the lowest ROI MS-SSIM, with their images.
    private func worstFrames(_ report: VerifyReport, pairs: [Pair], count: Int) throws -> [WorstFrame] {
        let worst = report.frames.sorted { $0.msssimROI < $1.msssimROI }.prefix(count)
        return try worst.compactMap { frame in
            guard let pair = pairs.first(where: { $0.original.sopInstanceUID == frame.sopInstanceUID }) else { return nil }
            let geometry = pair.original.geometry
            return WorstFrame(frame: frame,
                              original: FrameCodec.intensities(try pair.original.frame(frame.frame - 1), geometry: geometry),
                              restored: FrameCodec.intensities(try pair.restored(frame.frame - 1).pixels, geometry: geometry))
        }
    }
}

/// A frame shown in the report's figures: its scores and both images (intensities 0...1).
public struct WorstFrame: Sendable {
    public var frame: VerifyReport.Frame
    public var original: Image<Float>
    public var restored: Image<Float>
}
