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
        /// No progress events (the `progress` handler is not called).
        public var quiet: Bool
        /// The originals to measure (a shard's files); nil scans all of `originals`.
        public var originalFiles: [URL]?
        /// The containers to measure (a shard's); nil finds them from `restored`.
        public var restoredContainers: [URL]?
        /// Receives the run's progress (frames measured); nil reports nothing.
        public var progress: ProgressHandler?

        public init(
            originals: URL, restored: URL, jobs: Int, profile: String? = nil, exportROI: URL? = nil,
            quiet: Bool = false, originalFiles: [URL]? = nil, restoredContainers: [URL]? = nil,
            progress: ProgressHandler? = nil
        ) {
            self.progress = progress
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
        /// Row (axial) pixel spacing of the original in µm, for thickness errors; nil if unknown.
        var rowSpacingMicrometres: Double? = nil
    }

    public let options: Options
    private let profiles: ProfileCache

    public init(library: ProfileLibrary, options: Options) {
        self.options = options
        self.profiles = ProfileCache(library: library)
    }

    public func run() throws -> (report: VerifyReport, worst: [WorstFrame]) {
        let originals = options.originalFiles.map { StudyArchive.scan($0) } ?? StudyArchive.scan(options.originals)
        let bySOP = Dictionary(
            originals.instances.map { ($0.sopInstanceUID, $0) }, uniquingKeysWith: { first, _ in first })
        var problems: [String] = []
        let found = try pairsFromContainers(bySOP, &problems) ?? pairsFromDICOM(bySOP, &problems)
        guard !found.isEmpty else {
            throw ArchiveError.mismatch(
                "no restored instance of \(options.restored.path) pairs with an original in \(options.originals.path)"
                    + (problems.isEmpty ? "" : ": " + problems.joined(separator: "; ")))
        }
        // Shown in the summary: the first profile's floors (each frame is judged by its own profile's).
        let floors = VerifyFloors(found[0].codec.profile.document.floors)
        let pairs = found.map { pair in
            var pair = pair
            pair.rowSpacingMicrometres = (try? pair.original.headerDataset().pixelSpacing()).flatMap { $0 }.map {
                $0.rows * 1000
            }
            return pair
        }
        let jobs = pairs.flatMap { pair in (0..<pair.original.geometry.numberOfFrames).map { (pair, $0) } }
        let progress = ProgressCounter(.verify, frames: jobs.count, handler: options.progress, quiet: options.quiet)
        var frames: [VerifyReport.Frame] = []
        let exportROI = options.exportROI
        if let exportROI { try FileManager.default.createDirectory(at: exportROI, withIntermediateDirectories: true) }
        ParallelFrames(jobs: options.jobs).run(
            count: jobs.count,
            work: { i -> Result<VerifyReport.Frame, Error> in
                let (pair, frame) = jobs[i]
                return Result {
                    do {
                        // Each frame is judged by the floors of the profile its container was written with.
                        var result = try Self.evaluate(
                            pair: pair, frame: frame,
                            floors: VerifyFloors(pair.codec.profile.document.floors),
                            exportROI: exportROI)
                        result.profile = pair.codec.profile.name
                        return result
                    } catch {
                        throw ArchiveError.frameFailed(
                            file: pair.original.url.path, frame: frame,
                            frameCount: pair.original.geometry.numberOfFrames, reason: "\(error)")
                    }
                }
            },
            consume: { _, result in
                switch result {
                case .success(let frame): frames.append(frame)
                case .failure(let error): problems.append("\(error)")
                }
                progress.advance()
            })
        progress.finish()
        let bits = pairs[0].original.geometry.bitsStored
        let storedCR = Self.overallRatio(
            pairs.map { ($0.storedCR, $0.original.geometry.frameByteCount * $0.original.geometry.numberOfFrames) })
        let profileNames = Array(Set(pairs.map(\.codec.profile.name))).sorted { ($0.count, $0) < ($1.count, $1) }
        let summary = VerifyReport.Summary(
            frames: frames, profile: profileNames.joined(separator: ", "), storedCR: storedCR,
            codecCR: pairs[0].codec.profile.codecCompressionRatio(bitsPerPixel: bits),
            floors: floors)
        let paired = Set(pairs.map(\.original.sopInstanceUID))
        let missing = originals.instances.filter { !paired.contains($0.sopInstanceUID) }.map {
            VerifyReport.Missing(
                sopInstanceUID: $0.sopInstanceUID, seriesInstanceUID: $0.seriesInstanceUID,
                path: $0.url.path, frames: $0.geometry.numberOfFrames)
        }
        let report = VerifyReport(summary: summary, frames: frames, problems: problems, missing: missing)
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
        guard let containers = options.restoredContainers ?? (try? ContainerFiles.find(options.restored)) else {
            return nil
        }
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
                        problems.append(
                            "\(url.path): instance \(info.sopInstanceUID) has another geometry than \(original.url.path)"
                        )
                        continue
                    }
                    pairs.append(
                        Pair(original: original, codec: codec, storedCR: storedCR) { frame in
                            guard let recordIndex = reader.recordIndex(instance: index, frame: frame) else {
                                throw ArchiveError.corruptRecord("\(url.path): no record for frame \(frame + 1)")
                            }
                            let record = try reader.record(at: recordIndex)
                            return RestoredFrame(
                                pixels: try codec.decode(record, geometry: geometry),
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
                    throw ArchiveError.mismatch(
                        "\(instance.url.path): not a restored instance (no uncompressed predecessor referenced)")
                }
                guard let original = originals[source] else {
                    throw ArchiveError.mismatch(
                        "\(instance.url.path): its original \(source) is not in \(options.originals.path)")
                }
                guard instance.geometry.numberOfFrames == original.geometry.numberOfFrames,
                    instance.geometry.rows == original.geometry.rows,
                    instance.geometry.columns == original.geometry.columns
                else {
                    throw ArchiveError.mismatch(
                        "\(instance.url.path): holds \(instance.geometry.numberOfFrames) frames of "
                            + "\(instance.geometry.rows)x\(instance.geometry.columns), the original "
                            + "\(original.geometry.numberOfFrames) of \(original.geometry.rows)x\(original.geometry.columns)"
                            + " (verify compares whole instances: restore without --frames)")
                }
                let header = try instance.headerDataset()
                let codec =
                    try options.profile.map { try profiles.codec(named: $0) }
                    ?? profiles.codec(
                        for: try Self.derivation(in: header, file: instance.url.path), file: instance.url.path)
                let storedCR = try Self.lastCompressionRatio(in: header) ?? .nan
                pairs.append(
                    Pair(original: original, codec: codec, storedCR: storedCR) { frame in
                        RestoredFrame(
                            pixels: try instance.frame(frame), roi: nil, recordBytes: nil, bitstreamBytes: nil)
                    })
            } catch {
                problems.append("\(error)")
            }
        }
        return pairs
    }

    /// The profile a restored file names in its Derivation Description (see `DerivationDescription`).
    static func derivation(in header: HeaderDataset, file: String) throws -> DerivationDescription {
        guard let description = try DerivationDescription.find(in: header) else {
            throw ArchiveError.mismatch(
                "\(file): no octarc profile named in its Derivation Description; pass --profile")
        }
        return description
    }

    /// The last value of Lossy Image Compression Ratio (0028,2112): the latest compression's ratio.
    static func lastCompressionRatio(in header: HeaderDataset) throws -> Double? {
        try header.string(.lossyImageCompressionRatio)?.split(separator: "\\").last
            .flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// Measures one frame.
    static func evaluate(pair: Pair, frame: Int, floors: VerifyFloors, exportROI: URL?) throws -> VerifyReport.Frame {
        let geometry = pair.original.geometry
        let original = FrameCodec.intensities(try pair.original.frame(frame), geometry: geometry)
        let restoredFrame = try pair.restored(frame)
        let restored = FrameCodec.intensities(restoredFrame.pixels, geometry: geometry)
        let padding = FrameCodec.padding(original, geometry: geometry).mask
        let analysis = pair.codec.profile.preprocessor.analyze(
            original, padding: padding,
            rowSpacingMicrometres: pair.rowSpacingMicrometres)
        let roi = restoredFrame.roi ?? analysis.geometry
        let referenceBand = roi.extractBand(from: analysis.despeckled).cropped(
            x: 0, y: 0, width: roi.frameWidth, height: roi.bandHeight)
        let restoredBand = roi.extractBand(from: restored).cropped(
            x: 0, y: 0, width: roi.frameWidth, height: roi.bandHeight)
        let roiScores = try Metrics.compare(restoredBand, referenceBand, dataRange: 1)
        let frameScores = try wholeFrameScores(restored, original, padding: padding)
        // What a reader sees: the restored frame against the original, inside the retina region.
        let retina = RetinaRegion(analysis: analysis, width: geometry.columns, height: geometry.rows)
        let retinaScores = retina.scores(restored, original, padding: padding?.image)
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
            roiBand: roi.mode == .band, belowFloor: false)
        result.msssimRetina = retinaScores.msSSIM
        result.psnrRetina = retinaScores.psnr
        result.retinaFound = analysis.retinaFound
        result.noiseSigma = Double(NoiseEstimate.sigma(original, boundaries: analysis.boundaries, padding: padding))
        if analysis.retinaFound {
            let found = LayerSegmenter().segment(restored, padding: padding)
            let columns = (0..<geometry.columns).filter { x in
                !(padding?.columns[x].contains { $0.length == geometry.rows } ?? false)
            }
            (result.ilmShiftPx, result.ilmShiftMaxPx) = shift(analysis.ilm, found.ilm, columns)
            (result.bmShiftPx, result.bmShiftMaxPx) = shift(analysis.bm, found.bm, columns)
            result.ilmDistancePx = BoundaryDistance.largest(analysis.ilm, found.ilm, columns: columns)
            result.bmDistancePx = BoundaryDistance.largest(analysis.bm, found.bm, columns: columns)
            if found.retinaFound {
                let error = ThicknessError(
                    original: analysis.boundaries, restored: found, columns: columns,
                    rowSpacingMicrometres: pair.rowSpacingMicrometres)
                result.thicknessErrorPx = error.meanPx
                result.thicknessErrorMaxPx = error.maxPx
                result.thicknessErrorUm = error.meanMicrometres
                result.thicknessErrorMaxUm = error.maxMicrometres
                result.thicknessErrorMaxColumns = error.maxColumns
            } else {
                result.thicknessLost = true
            }
            let added = falseLesions(
                original: original, restored: restored, analysis: analysis, padding: padding?.image,
                maxValue: geometry.maxValue)
            result.falseLesions = Dictionary(
                uniqueKeysWithValues: FalseLesions.sizes.map { size in
                    (size.description, added.count { $0.size == size })
                })
            result.falseCysts = added.count { $0.size.kind == .cyst }
            result.falseFoci = added.count { $0.size.kind == .focus }
        }
        result.belowFloorReasons = floors.failures(of: result)
        result.belowFloor = !result.belowFloorReasons.isEmpty
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

    /// The `count` frames closest to (or furthest below) their profile's floor on MS-SSIM against the
    /// original in the retina region, with their images and the rows of their retina region.
    private func worstFrames(_ report: VerifyReport, pairs: [Pair], count: Int) throws -> [WorstFrame] {
        let floors = Dictionary(
            pairs.map { ($0.codec.profile.name, VerifyFloors($0.codec.profile.document.floors)) },
            uniquingKeysWith: { first, _ in first })
        func margin(_ frame: VerifyReport.Frame) -> Double {
            (frame.profile.flatMap { floors[$0] } ?? report.summary.floors)?.margin(of: frame) ?? frame.msssimROI
        }
        var shown = report.frames.sorted { margin($0) < margin($1) }.prefix(count).map {
            ($0, WorstFrame.Reason.nearestFloor)
        }
        // And the frame with the most false lesions, when there are any, so that a reader sees what was counted.
        func added(_ frame: VerifyReport.Frame) -> Int { (frame.falseCysts ?? 0) + (frame.falseFoci ?? 0) }
        if let most = report.frames.max(by: { added($0) < added($1) }), added(most) > 0,
            !shown.contains(where: { $0.0.sopInstanceUID == most.sopInstanceUID && $0.0.frame == most.frame })
        {
            shown.append((most, .mostFalseLesions))
        }
        return try shown.compactMap { frame, reason in
            guard let pair = pairs.first(where: { $0.original.sopInstanceUID == frame.sopInstanceUID }) else {
                return nil
            }
            let geometry = pair.original.geometry
            let original = FrameCodec.intensities(try pair.original.frame(frame.frame - 1), geometry: geometry)
            let padding = FrameCodec.padding(original, geometry: geometry).mask
            let analysis = pair.codec.profile.preprocessor.analyze(
                original, padding: padding,
                rowSpacingMicrometres: pair.rowSpacingMicrometres)
            let retina = RetinaRegion(analysis: analysis, width: geometry.columns, height: geometry.rows)
            let restored = FrameCodec.intensities(try pair.restored(frame.frame - 1).pixels, geometry: geometry)
            let found =
                analysis.retinaFound
                ? Self.falseLesions(
                    original: original, restored: restored, analysis: analysis, padding: padding?.image,
                    maxValue: geometry.maxValue) : []
            return WorstFrame(
                frame: frame, reason: reason, original: original, restored: restored, retinaRows: retina.rows,
                falseLesions: found)
        }
    }
}

/// A frame shown in the report's figures: its scores and both images (intensities 0...1).
public struct WorstFrame: Sendable {
    /// Why it is shown: among the frames nearest (or furthest below) their floor, or the frame with
    /// the most false lesions.
    public enum Reason: Sendable { case nearestFloor, mostFalseLesions }

    public var frame: VerifyReport.Frame
    public var reason: Reason
    public var original: Image<Float>
    public var restored: Image<Float>
    /// The rows of the frame's retina region (ILM − 16 to BM + 32 of the original's segmentation).
    public var retinaRows: ClosedRange<Int>
    /// The false lesions the restored frame shows (frame coordinates), as counted in `frame`.
    public var falseLesions: [FalseLesions.Found]
}
