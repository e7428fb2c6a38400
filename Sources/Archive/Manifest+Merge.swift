import Foundation

extension Manifest {
    /// Reads a manifest file, or nil if there is none or it does not parse.
    public static func read(file url: URL) -> Manifest? {
        ShardFiles.readJSON(Manifest.self, from: url)
    }

    /// The same manifest without what differs from run to run (the `seconds` of the run and of each
    /// series): two converts of the same archive with the same profile give equal normalized manifests,
    /// whether they ran on one machine or as shards.
    public var normalized: Manifest {
        var copy = self
        copy.seconds = 0
        for index in copy.series.indices { copy.series[index].seconds = 0 }
        return copy
    }

    /// The manifest's JSON as written, normalized first when asked.
    public func encoded(normalized: Bool = false) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(normalized ? self.normalized : self)
    }
}

/// The files sharded runs keep in the output folder, beside the containers:
///
/// - `manifest.parts/shard-K.json`: shard K's manifest (a `Manifest` of its series), rewritten after
///   every series, and read back when the shard is rerun;
/// - `manifest.parts/shard-K.done.json`: written when shard K has attempted all its series (a
///   `ShardCompletion`), removed when it starts again;
/// - `manifest.parts/shard-K.lock`: held while shard K runs, so one shard never runs twice at once;
/// - `manifest.parts/merge.lock`: held while checking for completion and merging.
///
/// No two shards touch the same file; `manifest.json` is written only by a merge, under the lock.
public struct ManifestParts: Sendable {
    public static let folderName = "manifest.parts"
    public let output: URL

    public init(output: URL) { self.output = output }

    public var folder: URL { output.appendingPathComponent(Self.folderName) }
    public func manifest(shard: Int) -> URL { folder.appendingPathComponent("shard-\(shard).json") }
    public func completion(shard: Int) -> URL { folder.appendingPathComponent("shard-\(shard).done.json") }
    func lock(shard: Int) -> URL { folder.appendingPathComponent("shard-\(shard).lock") }
    var mergeLock: URL { folder.appendingPathComponent("merge.lock") }
}

/// What a shard's run did, written when it has attempted every series of its shard.
public struct ShardCompletion: Codable, Sendable, Equatable {
    public var planSHA256: String
    public var shard: Int
    public var shards: Int
    public var converted: Int
    public var upToDate: Int
    /// Series that failed, with the reason; they are not in the manifest (as in a single-machine run).
    public var failures: [String]
    public var seconds: Double

    enum CodingKeys: String, CodingKey {
        case shard, shards, converted, failures, seconds
        case planSHA256 = "plan_sha256"
        case upToDate = "up_to_date"
    }
}

/// `octarc manifest merge`: one `manifest.json` from the parts of a sharded convert.
public enum ManifestMerge {
    /// What a merge gave.
    public struct Outcome: Sendable {
        public var manifest: Manifest
        /// The failures the shards recorded.
        public var failures: [String]
        public var hadErrors: Bool { !failures.isEmpty || manifest.skipped.contains(where: \.failed) }
    }

    /// Shards of `plan` (read from `planURL`) that have not completed in `output`, in index order.
    public static func unfinished(plan: ShardPlan, planSHA256: String, output: URL) -> [Int] {
        let parts = ManifestParts(output: output)
        return (0..<plan.shards).filter { shard in
            guard let done = ShardFiles.readJSON(ShardCompletion.self, from: parts.completion(shard: shard)) else {
                return true
            }
            return done.planSHA256 != planSHA256 || done.shard != shard
                || Manifest.read(file: parts.manifest(shard: shard)) == nil
        }
    }

    /// Merges the parts in `output` into `output/manifest.json`, under the merge lock. Throws, naming
    /// the shards, when any has not completed under this plan.
    public static func merge(output: URL, planURL: URL) throws -> Outcome {
        let plan = try ShardPlan.read(from: planURL)
        let sha = try ShardPlan.sha256(of: planURL)
        let parts = ManifestParts(output: output)
        try FileManager.default.createDirectory(at: parts.folder, withIntermediateDirectories: true)
        let lock = try FileLock.acquire(parts.mergeLock, wait: true)
        defer { lock?.unlock() }
        return try mergeLocked(plan: plan, planSHA256: sha, output: output)
    }

    /// Merges when every shard has completed, else returns nil; the caller holds no lock.
    static func mergeIfComplete(plan: ShardPlan, planSHA256: String, output: URL) throws -> Outcome? {
        let parts = ManifestParts(output: output)
        let lock = try FileLock.acquire(parts.mergeLock, wait: true)
        defer { lock?.unlock() }
        guard unfinished(plan: plan, planSHA256: planSHA256, output: output).isEmpty else { return nil }
        return try mergeLocked(plan: plan, planSHA256: planSHA256, output: output)
    }

    private static func mergeLocked(plan: ShardPlan, planSHA256: String, output: URL) throws -> Outcome {
        let missing = unfinished(plan: plan, planSHA256: planSHA256, output: output)
        guard missing.isEmpty else {
            throw ArchiveError.noInput(
                "\(output.path): shard\(missing.count == 1 ? "" : "s") "
                    + "\(missing.map(String.init).joined(separator: ", ")) of \(plan.shards) ha\(missing.count == 1 ? "s" : "ve") "
                    + "not completed under this plan; run octarc convert --plan ... --shard K for each, then merge again"
            )
        }
        let layout = ManifestParts(output: output)
        var manifests: [Manifest] = []
        var failures: [String] = []
        for shard in 0..<plan.shards {
            guard let manifest = Manifest.read(file: layout.manifest(shard: shard)),
                let done = ShardFiles.readJSON(ShardCompletion.self, from: layout.completion(shard: shard))
            else {
                throw ArchiveError.noInput("\(layout.manifest(shard: shard).path): unreadable manifest part")
            }
            manifests.append(manifest)
            failures += done.failures
        }
        guard let first = manifests.first else { throw ArchiveError.noInput("\(output.path): the plan has no shards") }
        if let other = manifests.first(where: { $0.profile != first.profile || $0.tool != first.tool }) {
            throw ArchiveError.mismatch(
                "\(output.path): shards ran with different profiles or octarc versions "
                    + "(\(first.profile.name) \(first.tool), \(other.profile.name) \(other.tool)); rerun them with one")
        }
        var merged = Manifest(
            tool: first.tool, archive: plan.archive, profile: first.profile,
            series: manifests.flatMap(\.series)
                .sorted { ($0.studyInstanceUID, $0.seriesInstanceUID) < ($1.studyInstanceUID, $1.seriesInstanceUID) },
            skipped: manifests.flatMap(\.skipped).sorted { $0.path < $1.path },
            seconds: manifests.reduce(0) { $0 + $1.seconds })
        // As a single-machine run writes it: the series that failed, in series order.
        merged.failed = manifests.flatMap { $0.failed ?? [] }
            .sorted { ($0.studyInstanceUID, $0.seriesInstanceUID) < ($1.studyInstanceUID, $1.seriesInstanceUID) }
        try merged.write(file: output.appendingPathComponent(Manifest.fileName))
        return Outcome(manifest: merged, failures: failures)
    }
}
