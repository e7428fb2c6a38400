import Codec
import Container
import DICOM
import Foundation
import Imaging

/// `octarc convert`: every OCT series of an archive into one `.octz` container each, plus a manifest.
///
/// Containers go to `OUT/<Study Instance UID>/<Series Instance UID>.octz`, written under a temporary
/// name and renamed when complete; `OUT/manifest.json` is rewritten after every series. Running again
/// skips series whose container is complete and whose inputs are unchanged (same size and SHA-256)
/// under the same profile, so an interrupted run resumes where it stopped.
public struct Converter: Sendable {
    public struct Options: Sendable {
        public var archive: URL
        public var output: URL
        /// Frames coded at once (one thread each).
        public var jobs: Int
        /// Copy inputs that are not OCT DICOM into `OUT/other/`, unchanged.
        public var copyOther: Bool
        /// No progress output.
        public var quiet: Bool
        /// The inputs, already scanned (a shard's part of `archive`); nil scans all of `archive`.
        public var scan: StudyArchive?
        /// Where the manifest is read back and written (default `OUT/manifest.json`; a shard's part).
        public var manifestFile: URL?

        public init(archive: URL, output: URL, jobs: Int, copyOther: Bool = false, quiet: Bool = false,
                    scan: StudyArchive? = nil, manifestFile: URL? = nil) {
            self.archive = archive
            self.output = output
            self.jobs = jobs
            self.copyOther = copyOther
            self.quiet = quiet
            self.scan = scan
            self.manifestFile = manifestFile
        }
    }

    /// What a run did.
    public struct Outcome: Sendable {
        public var manifest: Manifest
        /// Series converted in this run.
        public var converted: Int
        /// Series left as they were (complete, inputs unchanged).
        public var upToDate: Int
        /// Series that failed, with the reason (file and frame).
        public var failures: [String]
        /// Whether any input was bad (not merely another kind of file) or any series failed.
        public var hadErrors: Bool { !failures.isEmpty || manifest.skipped.contains(where: \.failed) }
    }

    public let codec: FrameCodec
    public let options: Options

    public init(codec: FrameCodec, options: Options) {
        self.codec = codec
        self.options = options
    }

    private var profileEntry: Manifest.Profile {
        Manifest.Profile(name: codec.profile.name, weightsSHA256: Hashing.hex(codec.profile.weightsSHA256))
    }

    public func run() throws -> Outcome {
        let started = Date()
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: options.output, withIntermediateDirectories: true)
        let scan = options.scan ?? StudyArchive.scan(options.archive)
        let manifestFile = options.manifestFile ?? options.output.appendingPathComponent(Manifest.fileName)
        let previous = Manifest.read(file: manifestFile)
        let reusable = previous?.profile == profileEntry ? previous?.series ?? [] : []
        var manifest = Manifest(tool: "octarc \(OctarcVersion.string)", archive: options.archive.path,
                                profile: profileEntry, series: [], skipped: [], seconds: 0)
        manifest.skipped = try scan.skipped.map { try skippedEntry($0) }

        let series = scan.series.sorted { ($0.studyInstanceUID, $0.seriesInstanceUID) < ($1.studyInstanceUID, $1.seriesInstanceUID) }
        let progress = Progress(label: "convert", total: series.reduce(0) { $0 + $1.frameCount }, quiet: options.quiet)
        var outcome = Outcome(manifest: manifest, converted: 0, upToDate: 0, failures: [])
        for item in series {
            do {
                let inputs = try item.instances.map { try inputEntry($0) }
                if let done = reusable.first(where: { $0.seriesInstanceUID == item.seriesInstanceUID && $0.inputs == inputs }),
                   (try? Hashing.sha256(of: options.output.appendingPathComponent(done.output))) == done.outputSHA256 {
                    outcome.manifest.series.append(done)
                    outcome.upToDate += 1
                    progress.advance(by: item.frameCount)
                    progress.note("up to date: \(done.output)")
                } else {
                    let entry = try convert(item, inputs: inputs, progress: progress)
                    outcome.manifest.series.append(entry)
                    outcome.converted += 1
                    progress.note(String(format: "converted %@: %d frames, stored CR %.1f, %.1f s", entry.output,
                                         entry.frames, entry.storedCR, entry.seconds))
                }
            } catch {
                outcome.failures.append("series \(item.seriesInstanceUID): \(error)")
                progress.note("FAILED series \(item.seriesInstanceUID): \(error)")
            }
            outcome.manifest.seconds = Date().timeIntervalSince(started)
            try outcome.manifest.write(file: manifestFile)
        }
        progress.finish()
        return outcome
    }

    private func relativePath(_ url: URL) -> String {
        let root = options.archive.standardizedFileURL.path
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : url.lastPathComponent
    }

    private func inputEntry(_ instance: OCTInstance) throws -> Manifest.InputFile {
        Manifest.InputFile(path: relativePath(instance.url), bytes: instance.fileSize,
                           sha256: try Hashing.sha256(of: instance.url), sopInstanceUID: instance.sopInstanceUID,
                           frames: instance.geometry.numberOfFrames)
    }

    private func skippedEntry(_ file: SkippedFile) throws -> Manifest.Skipped {
        let benign: Set<DICOMError.Kind> = [.notDICOM, .notOCT, .directoryIndex]
        var entry = Manifest.Skipped(path: relativePath(file.url), reason: file.reason,
                                     failed: !benign.contains(file.error.kind), copiedTo: nil)
        if options.copyOther {
            let destination = options.output.appendingPathComponent("other").appendingPathComponent(entry.path)
            try copyAtomically(file.url, to: destination)
            entry.copiedTo = "other/" + entry.path
        }
        return entry
    }

    private func copyAtomically(_ source: URL, to destination: URL) throws {
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).partial")
        try fileManager.copyItem(at: source, to: temporary)
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? fileManager.removeItem(at: temporary)
            throw ArchiveError.noInput("cannot copy \(source.path) to \(destination.path): \(reason)")
        }
    }

    /// Codes every frame of `series` into its container.
    private func convert(_ series: OCTSeries, inputs: [Manifest.InputFile], progress: Progress) throws -> Manifest.Series {
        let started = Date()
        let relative = "\(series.studyInstanceUID)/\(series.seriesInstanceUID).octz"
        let url = options.output.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let instances = try series.instances.map { instance in
            InstanceInfo(sopInstanceUID: instance.sopInstanceUID, sopClassUID: instance.sopClassUID,
                         transferSyntaxUID: instance.transferSyntaxUID, geometry: PixelGeometry(instance.geometry),
                         pixelDataByteCount: instance.geometry.frameByteCount * instance.geometry.numberOfFrames,
                         headerDataset: try instance.headerDataset().bytes)
        }
        let header = ContainerHeader(toolVersion: OctarcVersion.string, profileName: codec.profile.name,
                                     profileWeightsSHA256: codec.profile.weightsSHA256,
                                     studyInstanceUID: series.studyInstanceUID, seriesInstanceUID: series.seriesInstanceUID,
                                     patientID: series.patientID, instances: instances)
        let writer = try OctzWriter(url: url, header: header)
        let frames = series.instances.enumerated().flatMap { index, instance in
            (0..<instance.geometry.numberOfFrames).map { (instance: index, frame: $0) }
        }
        let codec = self.codec
        let sources = series.instances
        try ParallelFrames(jobs: options.jobs).run(count: frames.count, work: { i -> Swift.Result<FrameRecord, Error> in
            let (index, frame) = frames[i]
            let instance = sources[index]
            return Swift.Result {
                do {
                    let pixels = try instance.frame(frame)
                    let coded = try codec.encode(pixels, geometry: instance.geometry)
                    return FrameRecord(instanceIndex: index, frameIndex: frame, mode: coded.mode, roi: coded.roi,
                                       bitstream: coded.bitstream, pixelChecksum: FramePixels.checksum(pixels))
                } catch let error as DICOMError {
                    throw error
                } catch {
                    throw ArchiveError.frameFailed(file: instance.url.path, frame: frame,
                                                   frameCount: instance.geometry.numberOfFrames, reason: "\(error)")
                }
            }
        }, consume: { _, result in
            try writer.append(result.get())
            progress.advance()
        })
        let accounting = try writer.finish()
        let bytes = accounting.total
        let originalBytes = instances.reduce(0) { $0 + $1.pixelDataByteCount }
        return Manifest.Series(
            studyInstanceUID: series.studyInstanceUID, seriesInstanceUID: series.seriesInstanceUID,
            patientID: series.patientID, inputs: inputs, output: relative, outputBytes: bytes,
            outputSHA256: try Hashing.sha256(of: url), frames: frames.count, originalPixelBytes: originalBytes,
            storedCR: Double(originalBytes) / Double(bytes),
            bytesByCategory: Dictionary(uniqueKeysWithValues: accounting.categories.map { ($0.name, $0.bytes) }),
            seconds: Date().timeIntervalSince(started))
    }
}

extension PixelGeometry {
    /// The container's record of a DICOM instance's pixel geometry.
    init(_ geometry: FrameGeometry) {
        self.init(rows: geometry.rows, columns: geometry.columns, frames: geometry.numberOfFrames,
                  bitsAllocated: geometry.bitsAllocated, bitsStored: geometry.bitsStored, highBit: geometry.highBit,
                  pixelRepresentation: geometry.pixelRepresentation,
                  photometricInterpretation: geometry.photometricInterpretation,
                  pixelPaddingValue: geometry.pixelPaddingValue.map(Int32.init))
    }
}

extension FrameGeometry {
    /// A DICOM pixel geometry from the container's record of it.
    init(_ geometry: PixelGeometry) {
        self.init(rows: geometry.rows, columns: geometry.columns, numberOfFrames: geometry.frames,
                  bitsAllocated: geometry.bitsAllocated, bitsStored: geometry.bitsStored, highBit: geometry.highBit,
                  pixelRepresentation: geometry.pixelRepresentation,
                  photometricInterpretation: geometry.photometricInterpretation,
                  pixelPaddingValue: geometry.pixelPaddingValue.map(Int.init))
    }
}

/// Checksums of original frames, so verify can tell that it compares against the very pixels that
/// were coded.
enum FramePixels {
    static func checksum(_ frame: Image<UInt16>) -> UInt32 {
        frame.pixels.withUnsafeBytes { CRC32C.checksum($0) }
    }
}

/// The tool's version, recorded in every container and manifest.
public enum OctarcVersion {
    public static let string = "0.1.0"
}
