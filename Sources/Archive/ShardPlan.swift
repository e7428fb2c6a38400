import DICOM
import Foundation

/// `octarc plan`: an archive's OCT series split into shards that separate processes (Slurm array
/// tasks, Kubernetes indexed pods) convert at once into one output folder, written as `plan.json`.
///
/// The plan is deterministic: series are taken in order of Series Instance UID (then Study Instance
/// UID) and assigned greedily, largest first, to the shard with the fewest frames so far (ties to the
/// lowest shard index), so the same archive always gives the same plan. Each series lists its
/// instance files (paths relative to the archive, sizes); files that are not usable OCT DICOM are
/// listed with the reason and handled by shard 0, as a single-machine convert would.
///
/// ```swift
/// let plan = ShardPlan.make(archive: URL(fileURLWithPath: "Samples"), shards: 3)
/// try plan.write(to: URL(fileURLWithPath: "out"))   // out/plan.json
/// ```
public struct ShardPlan: Codable, Sendable, Equatable {
    public static let fileName = "plan.json"
    public static let formatVersion = 1

    /// An input file of a series: path relative to the archive and size in bytes at planning time.
    public struct File: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int
    }

    /// One series and the shard that converts it.
    public struct Series: Codable, Sendable, Equatable {
        public var studyInstanceUID: String
        public var seriesInstanceUID: String
        public var frames: Int
        public var shard: Int
        public var files: [File]

        enum CodingKeys: String, CodingKey {
            case frames, shard, files
            case studyInstanceUID = "study_instance_uid"
            case seriesInstanceUID = "series_instance_uid"
        }
    }

    /// A file the scan could not use as OCT, and why (handled by shard 0).
    public struct Skipped: Codable, Sendable, Equatable {
        public var path: String
        public var kind: DICOMError.Kind
        public var reason: String
    }

    public var version: Int
    /// The archive, as an absolute path, written as a single-machine convert records it in its
    /// manifest (every shard must see the archive at this path).
    public var archive: String
    public var shards: Int
    /// In order of Series Instance UID.
    public var series: [Series]
    public var skipped: [Skipped]

    /// Scans `archive` once and assigns its series to `shards` shards, balanced by frame count.
    public static func make(archive: URL, shards: Int) -> ShardPlan {
        make(scan: StudyArchive.scan(archive), archive: archive, shards: shards)
    }

    /// Assigns the series of `scan` (a scan of `archive`) to `shards` shards.
    public static func make(scan: StudyArchive, archive: URL, shards: Int) -> ShardPlan {
        precondition(shards >= 1, "a plan needs at least one shard")
        let root = archive.standardizedFileURL
        var series = scan.series
            .sorted { ($0.seriesInstanceUID, $0.studyInstanceUID) < ($1.seriesInstanceUID, $1.studyInstanceUID) }
            .map { item in
                Series(
                    studyInstanceUID: item.studyInstanceUID, seriesInstanceUID: item.seriesInstanceUID,
                    frames: item.frameCount, shard: 0,
                    files: item.instances.map { File(path: relativePath($0.url, root: root), bytes: $0.fileSize) })
            }
        // Greedy: the largest series first (UID order among equals), each to the least loaded shard.
        var load = Array(repeating: 0, count: shards)
        for index in series.indices.sorted(by: {
            series[$0].frames > series[$1].frames || (series[$0].frames == series[$1].frames && $0 < $1)
        }) {
            let target = load.indices.min { (load[$0], $0) < (load[$1], $1) }!
            series[index].shard = target
            load[target] += series[index].frames
        }
        let skipped = scan.skipped.map {
            Skipped(path: relativePath($0.url, root: root), kind: $0.error.kind, reason: $0.reason)
        }
        return ShardPlan(
            version: formatVersion, archive: archive.path, shards: shards, series: series, skipped: skipped)
    }

    /// The series of shard `shard`, in plan order.
    public func series(of shard: Int) -> [Series] { series.filter { $0.shard == shard } }

    /// Frames per shard.
    public var framesPerShard: [Int] {
        (0..<shards).map { shard in series(of: shard).reduce(0) { $0 + $1.frames } }
    }

    /// The absolute URL of a path relative to the archive.
    public func url(of path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: archive).appendingPathComponent(path)
    }

    /// The series of shard `shard` as a scan would give them, from the plan's files only (the rest of the
    /// archive is not read); shard 0 also gets the plan's skipped files. Throws when a file is missing or
    /// its size differs from the plan's (the archive changed since: plan again).
    public func scan(shard: Int) throws -> StudyArchive {
        try check(shard: shard)
        var urls: [URL] = []
        for file in series(of: shard).flatMap(\.files) {
            let url = url(of: file.path)
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            guard let size = (attributes?[.size] as? NSNumber)?.intValue else {
                throw ArchiveError.noInput(
                    "\(url.path): in the plan but missing or unreadable now; run octarc plan again")
            }
            guard size == file.bytes else {
                throw ArchiveError.noInput(
                    "\(url.path): \(size) bytes now, \(file.bytes) when planned; the archive changed, run octarc plan again"
                )
            }
            urls.append(url)
        }
        var scan = urls.isEmpty ? StudyArchive(series: [], skipped: []) : StudyArchive.scan(urls)
        if shard == 0 {
            scan.skipped += skipped.map { item in
                let url = url(of: item.path)
                return SkippedFile(url: url, error: DICOMError(item.kind, item.reason, file: url.path))
            }
            scan.skipped.sort { $0.url.path < $1.url.path }
        }
        return scan
    }

    /// The plan's SHA-256 (hex) as written, which completion markers record so that parts of another
    /// plan are never merged.
    public static func sha256(of url: URL) throws -> String {
        try Hashing.sha256(of: url)
    }

    /// Reads a plan file, with an error that names it.
    public static func read(from url: URL) throws -> ShardPlan {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ArchiveError.noInput("\(url.path): cannot read the plan (\(ShardFiles.reason(error)))")
        }
        let plan: ShardPlan
        do {
            plan = try JSONDecoder().decode(ShardPlan.self, from: data)
        } catch {
            throw ArchiveError.noInput("\(url.path): not an octarc plan")
        }
        guard plan.version == formatVersion else {
            throw ArchiveError.noInput(
                "\(url.path): plan version \(plan.version); this octarc reads version \(formatVersion)")
        }
        return plan
    }

    /// Writes `plan.json` into `folder` atomically; returns its URL.
    @discardableResult
    public func write(to folder: URL) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent(Self.fileName)
        try ShardFiles.writeJSON(self, to: url)
        return url
    }

    private static func relativePath(_ url: URL, root: URL) -> String {
        let path = url.standardizedFileURL.path
        return path.hasPrefix(root.path + "/") ? String(path.dropFirst(root.path.count + 1)) : path
    }
}

extension ShardPlan {
    /// The input files of shard `shard`.
    public func files(of shard: Int) -> [URL] {
        series(of: shard).flatMap(\.files).map { url(of: $0.path) }
    }

    /// The containers of shard `shard` in a convert's output folder (where convert writes them).
    public func containers(of shard: Int, in output: URL) -> [URL] {
        series(of: shard).map {
            output.appendingPathComponent($0.studyInstanceUID).appendingPathComponent("\($0.seriesInstanceUID).octz")
        }
    }

    /// Throws unless `shard` is one of the plan's.
    public func check(shard: Int) throws {
        guard (0..<shards).contains(shard) else {
            throw ArchiveError.noInput("shard \(shard) is not in the plan (shards 0 to \(shards - 1))")
        }
    }
}
