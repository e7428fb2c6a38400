import Foundation
import PACS
import Support

/// `octarc convert --from AET@HOST:PORT`: the OCT series a DICOM node holds, converted as a folder is.
///
/// The series are listed with C-FIND (study, series, then instance level), retrieved a few at a time
/// with C-GET into a private temporary folder inside the output folder, converted there by
/// `Converter`, and the finished containers renamed into place; the retrieved files are deleted after
/// each batch, so at most `seriesPerBatch` series of originals are on disk at once. A series whose
/// retrieve fails or comes back incomplete is named in the failures and nothing of it is left. A rerun
/// skips series whose container is complete and whose instances (SOP Instance UIDs, and Number of
/// Frames when the node reports it) are those the manifest lists, without retrieving them. Nothing on
/// the node is changed.
public struct PACSConverter: Sendable {
    public struct Options: Sendable {
        public var client: PACSClient
        public var query: PACSQuery
        public var output: URL
        public var jobs: Int
        /// No progress events (the `progress` handler is not called).
        public var quiet: Bool
        /// Series retrieved and converted together (bounds the disk used by originals).
        public var seriesPerBatch: Int
        /// Called after each instance retrieved; returning false stops that series' retrieve (tests).
        public var onRetrieved: (@Sendable (URL) -> Bool)?
        /// Receives the run's progress: series retrieved, then each batch's convert; nil reports nothing.
        public var progress: ProgressHandler?

        public init(
            client: PACSClient, query: PACSQuery, output: URL, jobs: Int, quiet: Bool = false,
            seriesPerBatch: Int = 2, onRetrieved: (@Sendable (URL) -> Bool)? = nil,
            progress: ProgressHandler? = nil
        ) {
            self.progress = progress
            self.client = client
            self.query = query
            self.output = output
            self.jobs = jobs
            self.quiet = quiet
            self.seriesPerBatch = max(1, seriesPerBatch)
            self.onRetrieved = onRetrieved
        }
    }

    public let codec: FrameCodec
    public let options: Options

    public init(codec: FrameCodec, options: Options) {
        self.codec = codec
        self.options = options
    }

    public func run() throws -> Converter.Outcome {
        let started = Date()
        let fileManager = FileManager.default
        try fileManager.createDirectory(at: options.output, withIntermediateDirectories: true)
        try removeStaleStaging()
        let profile = Manifest.Profile(name: codec.profile.name, weightsSHA256: Hex.string(codec.profile.weightsSHA256))
        let previous = Manifest.read(from: options.output)
        let reusable = previous?.profile == profile ? previous?.series ?? [] : []
        let listed = try options.client.series(matching: options.query)
        let listedUIDs = Set(listed.map(\.seriesInstanceUID))

        var manifest = Manifest(
            tool: "octarc \(OctarcVersion.string)", archive: options.client.node.description,
            profile: profile, series: [], skipped: [], seconds: 0)
        manifest.source = ManifestSource(
            node: options.client.node.description,
            callingAETitle: options.client.callingAETitle, query: options.query)
        // Containers of series this query does not list stay valid; keep them in the manifest.
        var kept = reusable.filter { !listedUIDs.contains($0.seriesInstanceUID) }
        var outcome = Converter.Outcome(manifest: manifest, converted: 0, upToDate: 0, failures: [])
        let progress = ProgressCounter(.retrieve, frames: 0, handler: options.progress, quiet: options.quiet)

        var pending: [PACSSeries] = []
        for series in listed {
            if let done = reusable.first(where: { isUpToDate($0, series) }) {
                kept.append(done)
                outcome.upToDate += 1
                progress.item(.upToDate(output: done.output))
            } else if series.instances.isEmpty {
                // Nothing but octarc's own restored instances (or an empty series): nothing to convert.
                progress.item(.noOriginals(seriesInstanceUID: series.seriesInstanceUID))
            } else {
                pending.append(series)
            }
        }
        func writeManifest() throws {
            outcome.manifest.series =
                (kept + outcome.manifest.series.filter { entry in !kept.contains { $0.output == entry.output } })
                .sorted { ($0.studyInstanceUID, $0.seriesInstanceUID) < ($1.studyInstanceUID, $1.seriesInstanceUID) }
            outcome.manifest.seconds = Date().timeIntervalSince(started)
            try outcome.manifest.write(to: options.output)
        }
        try writeManifest()

        for start in stride(from: 0, to: pending.count, by: options.seriesPerBatch) {
            let batch = Array(pending[start..<min(start + options.seriesPerBatch, pending.count)])
            try convertBatch(batch, into: &outcome, progress: progress)
            try writeManifest()
        }
        progress.finish()
        return outcome
    }

    private static let stagingPrefix = ".octarc-pacs-"

    /// Staging folders a killed run left behind (retrieved originals, unfinished containers).
    private func removeStaleStaging() throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: options.output.path)
        where name.hasPrefix(Self.stagingPrefix) {
            try FileManager.default.removeItem(at: options.output.appendingPathComponent(name))
        }
    }

    /// Whether `entry` is a complete conversion of exactly the instances the node lists for `series`.
    private func isUpToDate(_ entry: Manifest.Series, _ series: PACSSeries) -> Bool {
        guard entry.seriesInstanceUID == series.seriesInstanceUID, entry.studyInstanceUID == series.studyInstanceUID
        else { return false }
        let stored = Dictionary(entry.inputs.map { ($0.sopInstanceUID, $0.frames) }, uniquingKeysWith: { a, _ in a })
        guard stored.count == series.instances.count, entry.inputs.count == series.instances.count else { return false }
        for instance in series.instances {
            guard let frames = stored[instance.sopInstanceUID] else { return false }
            if let listed = instance.frames, listed != frames { return false }
        }
        let url = options.output.appendingPathComponent(entry.output)
        return (try? Hashing.sha256(of: url)) == entry.outputSHA256
    }

    /// Retrieves `batch` into a private folder, converts what arrived complete, moves the containers
    /// into place, and deletes the folder.
    private func convertBatch(
        _ batch: [PACSSeries], into outcome: inout Converter.Outcome, progress: ProgressCounter
    ) throws {
        let fileManager = FileManager.default
        let staging = options.output.appendingPathComponent(Self.stagingPrefix + UUID().uuidString)
        try fileManager.createDirectory(
            at: staging, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? fileManager.removeItem(at: staging) }
        let inbox = staging.appendingPathComponent("in")
        let staged = staging.appendingPathComponent("out")
        var retrieved = 0
        for series in batch {
            let folder = inbox.appendingPathComponent(series.seriesInstanceUID)
            do {
                try fileManager.createDirectory(at: folder, withIntermediateDirectories: true)
                let counts = try options.client.retrieve(series, into: folder, received: options.onRetrieved)
                let files = try fileManager.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".dcm") }
                let expected = Set(series.instances.map { "\($0.sopInstanceUID).dcm" })
                // A series-level C-GET also sends what the query left out (octarc's own restored
                // instances); convert exactly the instances listed.
                for extra in Set(files).subtracting(expected) {
                    try fileManager.removeItem(at: folder.appendingPathComponent(extra))
                }
                guard expected.isSubset(of: Set(files)) else {
                    throw PACSError(
                        .protocolError,
                        "\(expected.subtracting(files).count) of \(expected.count) instances listed by "
                            + "C-FIND did not arrive (\(counts.received) received)"
                    )
                    .about("series \(series.seriesInstanceUID)")
                }
                retrieved += 1
                progress.item(.retrieved(seriesInstanceUID: series.seriesInstanceUID, instances: files.count))
            } catch {
                try? fileManager.removeItem(at: folder)
                outcome.failures.append("\(error)")
                progress.item(.retrieveFailed(reason: "\(error)"))
            }
        }
        guard retrieved > 0 else { return }
        let converter = Converter(
            codec: codec,
            options: .init(
                archive: inbox, output: staged, jobs: options.jobs, quiet: options.quiet,
                progress: options.progress))
        let result = try converter.run()
        for entry in result.manifest.series {
            let destination = options.output.appendingPathComponent(entry.output)
            try fileManager.createDirectory(
                at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            guard rename(staged.appendingPathComponent(entry.output).path, destination.path) == 0 else {
                outcome.failures.append(
                    "series \(entry.seriesInstanceUID): cannot move the container to \(destination.path): "
                        + String(cString: strerror(errno)))
                continue
            }
            outcome.manifest.series.append(entry)
            outcome.converted += 1
        }
        outcome.manifest.skipped += result.manifest.skipped
        outcome.failures += result.failures
    }
}
