import Codec
import Container
import DICOM
import Foundation
import Imaging
import Support

/// `octarc restore`: DICOM from containers, following the derived-image rules (see
/// `DerivedInstanceWriter`): one file per original instance at
/// `OUT/<Study Instance UID>/<Series Instance UID>/<new SOP Instance UID>.dcm`.
///
/// New SOP Instance UIDs are derived from the source instance, the profile's weights, the frames
/// restored and their records, so restoring the same container twice gives the same files and no
/// UID names two different restored contents.
public struct Restorer: Sendable {
    public struct Options: Sendable {
        public var input: URL
        public var output: URL
        public var jobs: Int
        /// 1-based, inclusive: restore only these frames of each instance (random access).
        public var frames: ClosedRange<Int>?
        /// Root of the new SOP Instance UIDs (default 2.25, UUID-derived).
        public var uidRoot: String
        /// No progress events (the `progress` handler is not called).
        public var quiet: Bool
        /// The containers to restore (a shard's); nil finds them from `input`.
        public var containers: [URL]?
        /// Receives the run's progress (frames done, instances restored); nil reports nothing.
        public var progress: ProgressHandler?

        public init(
            input: URL, output: URL, jobs: Int, frames: ClosedRange<Int>? = nil,
            uidRoot: String = DICOMUID.uuidRoot, quiet: Bool = false, containers: [URL]? = nil,
            progress: ProgressHandler? = nil
        ) {
            self.containers = containers
            self.progress = progress
            self.input = input
            self.output = output
            self.jobs = jobs
            self.frames = frames
            self.uidRoot = uidRoot
            self.quiet = quiet
        }
    }

    /// A restored instance.
    public struct RestoredInstance: Sendable, Codable {
        public var path: String
        public var sourceSOPInstanceUID: String
        public var sopInstanceUID: String
        public var frames: Int

        enum CodingKeys: String, CodingKey {
            case path, frames
            case sourceSOPInstanceUID = "source_sop_instance_uid"
            case sopInstanceUID = "sop_instance_uid"
        }
    }

    public struct Outcome: Sendable {
        public var restored: [RestoredInstance]
        /// Containers or instances that failed, with the reason (file and frame).
        public var failures: [String]
    }

    public let options: Options
    private let profiles: ProfileCache

    public init(library: ProfileLibrary, options: Options) {
        self.options = options
        self.profiles = ProfileCache(library: library)
    }

    public func run() throws -> Outcome {
        // DCMTK's dictionary loads while the profiles load and the frames decode, not after them.
        // Whatever way run() ends, it waits for that load: a restore that fails at once (a damaged
        // container) would otherwise return, and the process exit, while the loading thread is inside
        // DCMTK, and the exit's static destructors crash it (seen as a SIGSEGV under load).
        let preparing = DispatchGroup()
        DispatchQueue.global(qos: .userInitiated).async(group: preparing) { DerivedInstanceWriter.prepare() }
        defer { preparing.wait() }
        let containers = try options.containers ?? ContainerFiles.find(options.input)
        let writer = try DerivedInstanceWriter(uidRoot: options.uidRoot)
        var outcome = Outcome(restored: [], failures: [])
        var readers: [OctzReader] = []
        for url in containers {
            do {
                readers.append(try OctzReader(url: url))
            } catch {
                outcome.failures.append("\(error)")
            }
        }
        let total = readers.reduce(0) { sum, reader in
            sum + reader.header.instances.reduce(0) { $0 + selectedFrames(of: $1.geometry.frames).count }
        }
        let progress = ProgressCounter(.restore, frames: total, handler: options.progress, quiet: options.quiet)
        for reader in readers {
            do {
                let codec = try profiles.codec(for: reader)
                for index in reader.header.instances.indices {
                    do {
                        let restored = try restore(
                            instance: index, of: reader, codec: codec, writer: writer, progress: progress)
                        outcome.restored.append(restored)
                        progress.item(.restored(restored))
                    } catch {
                        // Listed once, by the caller, from `failures`.
                        outcome.failures.append("\(reader.name): \(FileErrorText.describe(error))")
                    }
                }
            } catch {
                outcome.failures.append(FileErrorText.describe(error))
            }
        }
        progress.finish()
        return outcome
    }

    private func selectedFrames(of count: Int) -> [Int] {
        guard let range = options.frames else { return Array(0..<count) }
        return (max(range.lowerBound, 1)...max(range.upperBound, 1)).map { $0 - 1 }.filter { $0 < count }
    }

    private func restore(
        instance index: Int, of reader: OctzReader, codec: FrameCodec, writer: DerivedInstanceWriter,
        progress: ProgressCounter
    ) throws -> RestoredInstance {
        let info = reader.header.instances[index]
        let geometry = FrameGeometry(info.geometry)
        let frames = selectedFrames(of: info.geometry.frames)
        guard !frames.isEmpty else {
            throw ArchiveError.noInput(
                "\(reader.name): instance \(info.sopInstanceUID) has no frames in \(options.frames.map { "\($0)" } ?? "")"
            )
        }
        var pixels: [Image<UInt16>] = []
        pixels.reserveCapacity(frames.count)
        var recordDigests: [String] = []
        try ParallelFrames(jobs: options.jobs).run(
            count: frames.count,
            work: { i -> Result<(Image<UInt16>, String), Error> in
                Result {
                    do {
                        guard let recordIndex = reader.recordIndex(instance: index, frame: frames[i]) else {
                            throw ArchiveError.corruptRecord("no record")
                        }
                        let record = try reader.record(at: recordIndex)
                        let digest = Hex.string(SHA256.hash(record.roi + record.bitstream))
                        return (try codec.decode(record, geometry: geometry), digest)
                    } catch {
                        throw ArchiveError.frameFailed(
                            file: reader.name, frame: frames[i], frameCount: info.geometry.frames,
                            reason: "\(error)")
                    }
                }
            },
            consume: { _, result in
                let (image, digest) = try result.get()
                pixels.append(image)
                recordDigests.append(digest)
                progress.advance()
            })
        let header = try HeaderDataset(bytes: info.headerDataset)
        let subset = frames.count == info.geometry.frames ? nil : frames
        // The same container restores to the same UID; a container of the same original whose
        // records differ (another octarc's preprocessing, other parameters) restores to other pixels,
        // so its frames' records are part of the UID too: one UID never names two pixel contents.
        let uid = DICOMUID.derived(
            root: options.uidRoot,
            digest: Hashing.sha256(
                "\(info.sopInstanceUID)|\(Hex.string(codec.profile.weightsSHA256))|\(frames.map(String.init).joined(separator: ","))|"
                    + recordDigests.joined(separator: ",")
            ))
        let folder = options.output.appendingPathComponent(reader.header.studyInstanceUID)
            .appendingPathComponent(reader.header.seriesInstanceUID)
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ArchiveError.writeFailed(path: folder.path, reason: FileErrorText.describe(error))
        }
        let url = folder.appendingPathComponent("\(uid).dcm")
        let derivation = Derivation(
            description: DerivationDescription(profile: codec.profile).text,
            compressionRatio: Self.storedCompressionRatio(reader),
            compressionMethod: Self.compressionMethod)
        try writer.write(
            header: header, frames: pixels, derivation: derivation, to: url, sopInstanceUID: uid,
            sourceFrames: subset)
        return RestoredInstance(
            path: url.path, sourceSOPInstanceUID: info.sopInstanceUID, sopInstanceUID: uid,
            frames: pixels.count)
    }

    /// The series' stored compression ratio: original Pixel Data bytes of all its instances over the
    /// container's bytes, everything counted.
    static func storedCompressionRatio(_ reader: OctzReader) -> Double {
        Double(reader.header.instances.reduce(0) { $0 + $1.pixelDataByteCount }) / Double(reader.fileSize)
    }

    /// The value appended to Lossy Image Compression Method (0028,2114). DICOM's defined terms name
    /// only standard codecs (ISO_10918_1, ISO_15444_1, ...); naming one of them for a learned codec
    /// would misinform readers, so octarc uses a term of its own (defined terms may be extended).
    public static let compressionMethod = "OCTARC_CNN"
}
