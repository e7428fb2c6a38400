import Foundation
import TestSupport
import Testing

/// The sharded convert as a Slurm job array on a real Slurm (`Scripts/with-slurm`, which exports
/// OCTARC_SLURM=1; skipped without it): Scripts/slurm/submit over the samples plus 6 series made from
/// them with new UIDs must give the manifest and the containers of a single-machine convert, byte for
/// byte; an array task cancelled midway (scancel) and rerun alone completes only its remaining work.
/// With a fixture profile: what is tested is the sharding, not the codec.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["OCTARC_SLURM"] == "1" && SeriesCopies.available))
struct SlurmArrayTests {
    static let shards = 3
    static let copies = 6
    static let profile = ["--profile", "fixture-a"]

    /// Samples/ (two series and its README) plus 6 copies of the 12-bit sample with new UIDs.
    static func archive(in work: URL) throws -> URL {
        let archive = work.appendingPathComponent("archive")
        try FileManager.default.copyItem(at: Fixtures.samples, to: archive)
        try SeriesCopies.make(
            "bioptigen-subj13-12bit.dcm", count: copies, label: "slurm", in: archive.appendingPathComponent("generated")
        )
        return archive
    }

    static var environment: [String: String] {
        ["OCTARC": OctarcTool.binary, "OCTARC_PROFILES": OctarcTool.fixtureProfiles.path]
    }

    static func script(_ name: String) -> String {
        Fixtures.repositoryRoot.appendingPathComponent("Scripts/slurm/\(name)").path
    }

    static func slurm(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try Tools.run(try #require(Tools.find(tool)), arguments, environment: environment)
    }

    /// Waits until the private Slurm has no job left (pending or running).
    static func waitForIdleQueue(timeout: TimeInterval = 1200) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let queue = try slurm("squeue", ["-h", "-o", "%i %T"])
            if queue.status == 0 && queue.output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return }
            Thread.sleep(forTimeInterval: 0.5)
        }
        Issue.record("Slurm jobs still queued after \(Int(timeout)) s")
    }

    static func completion(_ out: URL, shard: Int) -> [String: Any]? {
        guard let data = try? Data(contentsOf: out.appendingPathComponent("manifest.parts/shard-\(shard).done.json"))
        else { return nil }
        return try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    }

    static func partSeries(_ out: URL, shard: Int) -> Int {
        guard let data = try? Data(contentsOf: out.appendingPathComponent("manifest.parts/shard-\(shard).json")),
            let part = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { return 0 }
        return (part["series"] as? [Any])?.count ?? 0
    }

    static func hiddenPartials(_ folder: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder.path)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".partial") { found.append(path) }
        }
        return found
    }
}

extension SlurmArrayTests {
    @Test func anArrayOfThreeEqualsOneMachineAndACancelledTaskRerunsAlone() throws {
        let work = try Fixtures.makeTemporaryDirectory("octarc-slurm")
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = try Self.archive(in: work)
        let single = work.appendingPathComponent("single")

        var started = Date()
        let reference = try OctarcTool.run(
            ["convert", archive.path, "--out", single.path, "--jobs", "2"] + Self.profile,
            profiles: OctarcTool.fixtureProfiles)
        let singleSeconds = Date().timeIntervalSince(started)
        #expect(reference.status == 0, "\(reference.output)")
        let containers = try OctarcTool.contents(of: single, extension: "octz")
        #expect(containers.count == 2 + Self.copies)
        let expectedManifest = try ManifestJSON.normalized(single)

        // The whole array, then the merge job.
        let out = work.appendingPathComponent("array")
        started = Date()
        let submitted = try Tools.run(
            Self.script("submit"), [archive.path, out.path, "\(Self.shards)", "--"] + Self.profile,
            environment: Self.environment)
        #expect(submitted.status == 0, "\(submitted.output)")
        try Self.waitForIdleQueue()
        let arraySeconds = Date().timeIntervalSince(started)
        #expect(try ManifestJSON.normalized(out) == expectedManifest)
        #expect(try OctarcTool.contents(of: out, extension: "octz") == containers)
        for shard in 0..<Self.shards { #expect(Self.completion(out, shard: shard) != nil) }
        print(
            String(
                format: "slurm: %d frames, one process (--jobs 2) %.1f s; %d-task array incl. merge %.1f s",
                21 + 5 * Self.copies, singleSeconds, Self.shards, arraySeconds))

        // Again, cancelling task 1 once it has completed a series and before it has finished.
        let cancelled = work.appendingPathComponent("cancelled")
        let again = try Tools.run(
            Self.script("submit"), [archive.path, cancelled.path, "\(Self.shards)", "--"] + Self.profile,
            environment: Self.environment)
        let array = try #require(again.output.split(separator: "\n").map(String.init).first { Int($0) != nil })
        let deadline = Date().addingTimeInterval(600)
        while Date() < deadline, Self.partSeries(cancelled, shard: 1) == 0, Self.completion(cancelled, shard: 1) == nil
        {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(Self.completion(cancelled, shard: 1) == nil, "task 1 finished before it could be cancelled")
        #expect(try Self.slurm("scancel", ["\(array)_1"]).status == 0)
        try Self.waitForIdleQueue()
        #expect(Self.completion(cancelled, shard: 1) == nil)
        #expect(!FileManager.default.fileExists(atPath: cancelled.appendingPathComponent("manifest.json").path))
        let mergeLog = try FileManager.default.contentsOfDirectory(
            atPath: cancelled.appendingPathComponent("slurm-logs").path
        )
        .filter { $0.hasPrefix("merge-") }
        .map { try String(contentsOf: cancelled.appendingPathComponent("slurm-logs/\($0)"), encoding: .utf8) }
        .joined()
        #expect(mergeLog.contains("shard 1 of 3 has not completed"), "\(mergeLog)")

        // Rerun index 1 alone: it converts only what it had not finished, and, last to complete, merges.
        let plan = cancelled.appendingPathComponent("plan.json")
        let rerun = try Self.slurm(
            "sbatch",
            [
                "--parsable", "--array=1",
                "--output=\(cancelled.path)/slurm-logs/rerun-%A_%a.out",
                Self.script("convert.sbatch"), plan.path, cancelled.path,
            ] + Self.profile)
        #expect(rerun.status == 0, "\(rerun.output)")
        try Self.waitForIdleQueue()
        let done = try #require(Self.completion(cancelled, shard: 1))
        #expect((done["up_to_date"] as? Int ?? 0) >= 1)
        #expect((done["converted"] as? Int ?? 0) >= 1)
        #expect(try ManifestJSON.normalized(cancelled) == expectedManifest)
        #expect(try OctarcTool.contents(of: cancelled, extension: "octz") == containers)
        #expect(Self.hiddenPartials(cancelled).isEmpty, "\(Self.hiddenPartials(cancelled))")
    }
}
