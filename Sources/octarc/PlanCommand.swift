import Archive
import ArgumentParser
import Foundation

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Split an archive's OCT series into N shards for a cluster (Slurm array, Kubernetes indexed job).",
        discussion: """
            Scans the archive once and writes OUT/plan.json: every series with its instance files and sizes, \
            and the shard that converts it (series in Series Instance UID order, greedily balanced by frame \
            count: the same archive always gives the same plan). Then run `octarc convert --plan \
            OUT/plan.json --shard K --out OUT` for K = 0 ... N-1, at once, on machines that share OUT and \
            see the archive at the same path; the last shard to complete writes OUT/manifest.json (or run \
            `octarc manifest merge OUT`).
            """)

    @Argument(help: "A folder tree of DICOM files.")
    var archive: String

    @Option(name: .long, help: "Number of shards (array tasks).")
    var shards: Int

    @Option(name: .long, help: "Output folder: plan.json goes here, and the shards convert into it.")
    var out: String

    func validate() throws {
        if shards < 1 { throw ValidationError("--shards takes 1 or more, not \(shards)") }
    }

    func run() throws {
        let archiveURL = URL(fileURLWithPath: archive)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: archiveURL.path, isDirectory: &isDirectory) else {
            throw ArchiveError.noInput("\(archiveURL.path): no such file or folder")
        }
        let plan = ShardPlan.make(archive: archiveURL, shards: shards)
        let url = try plan.write(to: URL(fileURLWithPath: out))
        for (shard, frames) in plan.framesPerShard.enumerated() {
            print("shard \(shard): \(plan.series(of: shard).count) series, \(frames) frames")
        }
        for skipped in plan.skipped {
            print("skipped \(skipped.path): \(skipped.reason) (listed by shard 0)")
        }
        print("plan: \(url.path)")
        if plan.series.isEmpty { throw ExitCode(1) }
    }
}

struct ManifestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "manifest",
        abstract: "Work on convert manifests.",
        subcommands: [Merge.self])

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "merge",
            abstract: "Merge the manifest parts of a sharded convert into DIR/manifest.json.",
            discussion: """
                Every shard of the plan must have completed (DIR/manifest.parts/shard-K.done.json, under this \
                plan). The result equals the manifest of a single-machine convert of the same archive, apart \
                from the run's timings (`seconds`; the merged total is the sum of the shards'). Exit status 1 \
                when a shard has not completed, an input was bad or a series failed.
                """)

        @Argument(help: "The output folder of the sharded convert.")
        var folder: String

        @Option(name: .long, help: "The plan (default: DIR/plan.json).")
        var plan: String?

        func run() throws {
            let output = URL(fileURLWithPath: folder)
            let planURL = plan.map { URL(fileURLWithPath: $0) } ?? output.appendingPathComponent(ShardPlan.fileName)
            let outcome = try ManifestMerge.merge(output: output, planURL: planURL)
            print(
                "\(outcome.manifest.series.count) series, \(outcome.manifest.series.reduce(0) { $0 + $1.frames }) frames "
                    + "merged into \(output.appendingPathComponent(Manifest.fileName).path)")
            for failure in outcome.failures { print("FAILED \(failure)") }
            if outcome.hadErrors { throw ExitCode(1) }
        }
    }
}
