import Codec
import Container
import DICOM
import Foundation
import Imaging
import Support

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
        /// No progress events (the `progress` handler is not called).
        public var quiet: Bool
        /// Allow replacing an existing container with one that holds fewer instances, or one of
        /// another profile (by default such a series fails and its container is kept).
        public var replace: Bool
        /// The lock file taken in the output folder for the run (see `OutputLock`).
        public var lockName: String
        /// Remove hidden `.partial` files a killed run left in the output folder. Only a run that
        /// holds the whole folder may: runs that share a folder (shards, each with a lock of its
        /// own) would remove each other's files being written.
        public var removesPartialFiles: Bool
        /// The inputs, already scanned (a shard's part of `archive`); nil scans all of `archive`.
        public var scan: StudyArchive?
        /// Where the manifest is read back and written (default `OUT/manifest.json`; a shard's part).
        public var manifestFile: URL?
        /// Receives the run's progress (frames done, series finished); nil reports nothing.
        public var progress: ProgressHandler?

        public init(
            archive: URL, output: URL, jobs: Int, copyOther: Bool = false, quiet: Bool = false,
            replace: Bool = false, lockName: String = OutputLock.defaultName, removesPartialFiles: Bool = true,
            scan: StudyArchive? = nil, manifestFile: URL? = nil, progress: ProgressHandler? = nil
        ) {
            self.archive = archive
            self.output = output
            self.jobs = jobs
            self.copyOther = copyOther
            self.quiet = quiet
            self.replace = replace
            self.lockName = lockName
            self.removesPartialFiles = removesPartialFiles
            self.scan = scan
            self.manifestFile = manifestFile
            self.progress = progress
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
        /// Series kept in the manifest from an earlier run whose inputs this run did not see.
        public var kept: [String] = []
        /// Why `manifest.json` could not be written (nil when it was).
        public var manifestNotWritten: String? = nil
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
        Manifest.Profile(name: codec.profile.name, weightsSHA256: Hex.string(codec.profile.weightsSHA256))
    }

    public func run() throws -> Outcome {
        let started = Date()
        let fileManager = FileManager.default
        guard fileManager.fileExists(atPath: options.archive.path) else {
            throw ArchiveError.noInput("\(options.archive.path): no such file or folder")
        }
        do {
            try fileManager.createDirectory(at: options.output, withIntermediateDirectories: true)
        } catch {
            throw ArchiveError.writeFailed(path: options.output.path, reason: FileErrorText.describe(error))
        }
        let lock = try OutputLock.acquire(in: options.output, name: options.lockName)
        defer { lock.release() }
        if options.removesPartialFiles { PartialFiles.remove(under: options.output) }
        let scan = options.scan ?? StudyArchive.scan(options.archive, excluding: [options.output])
        let manifestFile = options.manifestFile ?? options.output.appendingPathComponent(Manifest.fileName)
        let previous = Manifest.read(file: manifestFile)
        var manifest = Manifest(
            tool: "octarc \(OctarcVersion.string)", archive: options.archive.path,
            profile: profileEntry, series: [], skipped: [], failed: [], seconds: 0)
        manifest.skipped = try scan.skipped.map { try skippedEntry($0) }

        let series = scan.series.sorted {
            ($0.studyInstanceUID, $0.seriesInstanceUID) < ($1.studyInstanceUID, $1.seriesInstanceUID)
        }
        let earlier = previous.map { EarlierRun(manifest: $0, output: options.output) }
        let progress = ProgressCounter(
            .convert, frames: series.reduce(0) { $0 + $1.frameCount },
            handler: options.progress, quiet: options.quiet)
        var outcome = Outcome(manifest: manifest, converted: 0, upToDate: 0, failures: [])
        // Series of earlier runs that this run does not see stay listed while their container exists.
        let scanned = Set(series.map(\.seriesInstanceUID))
        for entry in earlier?.entries ?? [] where !scanned.contains(entry.seriesInstanceUID) {
            outcome.manifest.series.append(entry)
            outcome.kept.append(
                "\(entry.output): its originals are not in \(options.archive.path); container and manifest entry kept")
        }
        var pending = earlier?.entries.filter { scanned.contains($0.seriesInstanceUID) } ?? []
        func writeManifest() throws {
            var written = outcome.manifest
            written.series += pending
            written.seconds = Date().timeIntervalSince(started)
            try written.write(file: manifestFile)
        }
        var manifestError: Error?
        for scanned in series {
            let earlierEntry = pending.first { $0.seriesInstanceUID == scanned.seriesInstanceUID }
            let (item, copies) = withoutCopiesOfArchivedInstances(scanned)
            outcome.manifest.skipped += try copies.map { try skippedEntry($0) }
            progress.advance(by: scanned.frameCount - item.frameCount)
            guard !item.instances.isEmpty else { continue }  // only restored copies: the container stays as it is
            do {
                let inputs = try item.instances.map { try inputEntry($0) }
                if let done = earlierEntry, done.profile == profileEntry, done.inputs == inputs,
                    (try? Hashing.sha256(of: options.output.appendingPathComponent(done.output))) == done.outputSHA256
                {
                    pending.removeAll { $0.seriesInstanceUID == item.seriesInstanceUID }
                    var entry = done
                    entry.profile = nil
                    entry.archive = nil
                    outcome.manifest.series.append(entry)
                    outcome.upToDate += 1
                    progress.advance(by: item.frameCount)
                    progress.item(.upToDate(output: done.output))
                } else {
                    try checkReplacement(of: item, inputs: inputs, earlier: earlierEntry)
                    let entry = try convert(item, inputs: inputs, progress: progress)
                    pending.removeAll { $0.seriesInstanceUID == item.seriesInstanceUID }
                    outcome.manifest.series.append(entry)
                    outcome.converted += 1
                    progress.item(.converted(entry))
                }
            } catch {
                let reason = FileErrorText.describe(error)
                outcome.failures.append("series \(item.seriesInstanceUID): \(reason)")
                outcome.manifest.failed?.append(
                    Manifest.Failure(
                        studyInstanceUID: item.studyInstanceUID,
                        seriesInstanceUID: item.seriesInstanceUID, reason: reason))
            }
            do { try writeManifest() } catch { manifestError = error }
        }
        do { try writeManifest() } catch { manifestError = error }
        outcome.manifest.series += pending
        outcome.manifest.seconds = Date().timeIntervalSince(started)
        if let manifestError {
            outcome.manifestNotWritten = FileErrorText.describe(manifestError)
            outcome.failures.append(FileErrorText.describe(manifestError))
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
        Manifest.InputFile(
            path: relativePath(instance.url), bytes: instance.fileSize,
            sha256: try Hashing.sha256(of: instance.url), sopInstanceUID: instance.sopInstanceUID,
            frames: instance.geometry.numberOfFrames)
    }

    private func skippedEntry(_ file: SkippedFile) throws -> Manifest.Skipped {
        let benign: Set<DICOMError.Kind> = [
            .notDICOM, .notOCT, .directoryIndex, .derivedCopy, .specialFile, .octarcOutput,
        ]
        var entry = Manifest.Skipped(
            path: relativePath(file.url), reason: file.reason,
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
        do {
            try fileManager.copyItem(at: source, to: temporary)
        } catch {
            try? fileManager.removeItem(at: temporary)
            throw ArchiveError.writeFailed(path: destination.path, reason: FileErrorText.describe(error))
        }
        guard rename(temporary.path, destination.path) == 0 else {
            let reason = FileErrorText.posix(errno)
            try? fileManager.removeItem(at: temporary)
            throw ArchiveError.writeFailed(path: destination.path, reason: reason)
        }
    }

    /// Codes every frame of `series` into its container.
    private func convert(
        _ series: OCTSeries, inputs: [Manifest.InputFile], progress: ProgressCounter
    ) throws -> Manifest.Series {
        let started = Date()
        let relative = "\(series.studyInstanceUID)/\(series.seriesInstanceUID).octz"
        let url = options.output.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let instances = try series.instances.map { instance in
            InstanceInfo(
                sopInstanceUID: instance.sopInstanceUID, sopClassUID: instance.sopClassUID,
                transferSyntaxUID: instance.transferSyntaxUID, geometry: PixelGeometry(instance.geometry),
                pixelDataByteCount: instance.geometry.frameByteCount * instance.geometry.numberOfFrames,
                headerDataset: try instance.headerDataset().bytes)
        }
        let header = ContainerHeader(
            toolVersion: OctarcVersion.string, profileName: codec.profile.name,
            profileWeightsSHA256: codec.profile.weightsSHA256,
            studyInstanceUID: series.studyInstanceUID, seriesInstanceUID: series.seriesInstanceUID,
            patientID: series.patientID, instances: instances)
        let writer = try OctzWriter(url: url, header: header)
        let frames = series.instances.enumerated().flatMap { index, instance in
            (0..<instance.geometry.numberOfFrames).map { (instance: index, frame: $0) }
        }
        let codec = self.codec
        let sources = series.instances
        // Row spacing in µm per instance, for margins a profile sets in physical units.
        let rowSpacings = instances.map { info in
            (try? HeaderDataset(bytes: info.headerDataset).pixelSpacing()).flatMap { $0 }.map { $0.rows * 1000 }
        }
        try ParallelFrames(jobs: options.jobs).run(
            count: frames.count,
            work: { i -> Swift.Result<FrameRecord, Error> in
                let (index, frame) = frames[i]
                let instance = sources[index]
                return Swift.Result {
                    do {
                        let pixels = try instance.frame(frame)
                        let coded = try codec.encode(
                            pixels, geometry: instance.geometry, rowSpacingMicrometres: rowSpacings[index])
                        return FrameRecord(
                            instanceIndex: index, frameIndex: frame, roi: coded.roi,
                            bitstream: coded.bitstream, pixelChecksum: FramePixels.checksum(pixels))
                    } catch let error as DICOMError {
                        throw error
                    } catch {
                        throw ArchiveError.frameFailed(
                            file: instance.url.path, frame: frame,
                            frameCount: instance.geometry.numberOfFrames, reason: "\(error)")
                    }
                }
            },
            consume: { _, result in
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
        self.init(
            rows: geometry.rows, columns: geometry.columns, frames: geometry.numberOfFrames,
            bitsAllocated: geometry.bitsAllocated, bitsStored: geometry.bitsStored, highBit: geometry.highBit,
            pixelRepresentation: geometry.pixelRepresentation,
            photometricInterpretation: geometry.photometricInterpretation,
            pixelPaddingValue: geometry.pixelPaddingValue.map(Int32.init))
    }
}

extension FrameGeometry {
    /// A DICOM pixel geometry from the container's record of it.
    init(_ geometry: PixelGeometry) {
        self.init(
            rows: geometry.rows, columns: geometry.columns, numberOfFrames: geometry.frames,
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
