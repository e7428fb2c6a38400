import Foundation
import TestSupport
import Testing

/// `octarc plan`, `convert --plan --shard` and `manifest merge` as a user runs them by hand (the Slurm
/// tier runs them through the job files): exit statuses, what each prints, and a shard with no series.
@Suite struct ShardCommandTests {
    /// octarc with the fixture profiles (the codec does not matter here); convert gets `--profile fixture-a`.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try OctarcTool.run(
            arguments + (arguments.first == "convert" ? ["--profile", "fixture-a"] : []),
            profiles: OctarcTool.fixtureProfiles)
    }
}

extension ShardCommandTests {
    @Test func planShardsAndMergeByHandGiveOneMachinesOutput() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = try OctarcTool.archive(["bioptigen-subj13-12bit.dcm"], in: work)
        let single = work.appendingPathComponent("single")
        let out = work.appendingPathComponent("out")
        #expect(try Self.run(["convert", archive.path, "--out", single.path]).status == 0)

        let plan = try Self.run(["plan", archive.path, "--shards", "2", "--out", out.path])
        #expect(plan.status == 0, "\(plan.output)")
        #expect(
            plan.output.contains("shard 0: 1 series, 5 frames") && plan.output.contains("shard 1: 0 series, 0 frames"))
        let planFile = out.appendingPathComponent("plan.json").path

        // The empty shard completes first; the merge then names the shard still missing.
        let empty = try Self.run(["convert", "--plan", planFile, "--shard", "1", "--out", out.path])
        #expect(empty.status == 0, "\(empty.output)")
        #expect(empty.output.contains("waiting for shard 0"))
        let early = try Self.run(["manifest", "merge", out.path])
        #expect(early.status != 0)
        #expect(early.output.contains("shard 0 of 2 has not completed"), "\(early.output)")
        #expect(!early.output.contains("NSCocoaErrorDomain"))

        let last = try Self.run(["convert", "--plan", planFile, "--shard", "0", "--out", out.path])
        #expect(last.status == 0, "\(last.output)")
        #expect(last.output.contains("all 2 shards complete"))
        #expect(
            try OctarcTool.contents(of: out, extension: "octz") == OctarcTool.contents(of: single, extension: "octz"))
        let merged = try Self.run(["manifest", "merge", out.path])
        #expect(merged.status == 0, "\(merged.output)")
        #expect(merged.output.contains("1 series, 5 frames merged"))
        #expect(try ManifestJSON.normalized(out) == ManifestJSON.normalized(single))

        // Wrong use is refused before any work, with the reason.
        let mixed = try Self.run(["convert", archive.path, "--plan", planFile, "--shard", "0", "--out", out.path])
        #expect(mixed.status != 0 && mixed.output.contains("leave out"))
        let outside = try Self.run(["convert", "--plan", planFile, "--shard", "2", "--out", out.path])
        #expect(outside.status != 0 && outside.output.contains("shard 2 is not in the plan"))
    }
}
