import Foundation

/// `octarc convert --plan P --shard K --out DIR`: converts shard K of a plan into `DIR`, while other
/// shards convert theirs into the same folder (see `ManifestParts` for the files each keeps).
///
/// The containers are the ones a single-machine convert writes (same path, same bytes: a container
/// holds nothing about the run). The shard's manifest part is read back when it runs again, so a
/// killed or failed shard, rerun alone, converts only what it had not finished. When it completes,
/// the shard merges `manifest.json` if every other shard has completed too (under the merge lock, so
/// exactly the last one to finish sees them all).
public struct ShardConverter: Sendable {
    public struct Outcome: Sendable {
        public var convert: Converter.Outcome
        /// The merged manifest, when this shard was the last to complete.
        public var merged: ManifestMerge.Outcome?
        /// Shards still to complete after this one (empty when merged).
        public var unfinished: [Int]
    }

    public let codec: FrameCodec
    public let planURL: URL
    public let shard: Int
    public let options: Converter.Options

    /// `options.archive` and `options.scan` are replaced by the plan's.
    public init(codec: FrameCodec, planURL: URL, shard: Int, options: Converter.Options) {
        self.codec = codec
        self.planURL = planURL
        self.shard = shard
        self.options = options
    }

    public func run() throws -> Outcome {
        let started = Date()
        let plan = try ShardPlan.read(from: planURL)
        let planSHA256 = try ShardPlan.sha256(of: planURL)
        let parts = ManifestParts(output: options.output)
        try FileManager.default.createDirectory(at: parts.folder, withIntermediateDirectories: true)
        guard let lock = try FileLock.acquire(parts.lock(shard: shard), wait: false) else {
            throw ArchiveError.noInput(
                "shard \(shard) is already running into \(options.output.path) "
                    + "(\(parts.lock(shard: shard).path) is locked)")
        }
        defer { lock.unlock() }
        try? FileManager.default.removeItem(at: parts.completion(shard: shard))
        let scan = try plan.scan(shard: shard)
        removeAbandonedContainers(plan.series(of: shard))

        var shardOptions = options
        shardOptions.archive = URL(fileURLWithPath: plan.archive)
        shardOptions.scan = scan
        shardOptions.manifestFile = parts.manifest(shard: shard)
        // Shards share the output folder: each takes a lock of its own and leaves the others'
        // half-written files alone (its own are removed below, by series).
        shardOptions.lockName = ".octarc-shard-\(shard).lock"
        shardOptions.removesPartialFiles = false
        let converted = try Converter(codec: codec, options: shardOptions).run()
        // A shard without series (or whose series all failed) still leaves its part.
        try converted.manifest.write(file: parts.manifest(shard: shard))
        try ShardFiles.writeJSON(
            ShardCompletion(
                planSHA256: planSHA256, shard: shard, shards: plan.shards, converted: converted.converted,
                upToDate: converted.upToDate, failures: converted.failures,
                seconds: Date().timeIntervalSince(started)), to: parts.completion(shard: shard))
        lock.unlock()

        let merged = try ManifestMerge.mergeIfComplete(plan: plan, planSHA256: planSHA256, output: options.output)
        return Outcome(
            convert: converted, merged: merged,
            unfinished: merged == nil
                ? ManifestMerge.unfinished(plan: plan, planSHA256: planSHA256, output: options.output) : [])
    }

    /// Temporary files a killed run of this shard left beside its containers (hidden `.NAME.octz.*.partial`).
    /// Only this shard writes containers of these series, and it holds its lock, so none is in use.
    private func removeAbandonedContainers(_ series: [ShardPlan.Series]) {
        let fileManager = FileManager.default
        for item in series {
            let folder = options.output.appendingPathComponent(item.studyInstanceUID)
            let prefix = ".\(item.seriesInstanceUID).octz."
            for name in (try? fileManager.contentsOfDirectory(atPath: folder.path)) ?? []
            where name.hasPrefix(prefix) && name.hasSuffix(".partial") {
                try? fileManager.removeItem(at: folder.appendingPathComponent(name))
            }
        }
    }
}
