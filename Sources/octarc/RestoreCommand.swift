import Archive
import ArgumentParser
import Codec
import DICOM
import Foundation

struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore DICOM from .octz containers (a file, a folder of them, or a convert manifest).",
        discussion: """
            Every restored instance is a derived, lossy image: new SOP Instance UID, Image Type DERIVED, \
            Lossy Image Compression 01 with ratio and method appended, and a per-frame Derivation Image \
            group referencing the original. Every other attribute of the original comes back unchanged. \
            Files go to OUT/<Study Instance UID>/<Series Instance UID>/<SOP Instance UID>.dcm.
            """)

    @Argument(
        help: "A .octz file, a folder searched for them, or a manifest.json (with --plan: the convert's output folder)."
    )
    var input: String

    @OptionGroup var shard: ShardOptions

    @Option(name: .long, help: "Output folder (with --to: also kept there).")
    var out: String?

    @OptionGroup(title: "Restoring to a DICOM node") var node: RestoreToNodeOptions

    @Option(name: .long, help: "Restore only frames A through B (1-based) of each instance, e.g. 3-7.")
    var frames: String?

    @Option(name: .long, help: "Root of the new SOP Instance UIDs (2.25: UUID-derived).")
    var uidRoot: String = DICOMUID.uuidRoot

    @Option(name: .long, help: ProfileFolders.help)
    var profiles: String?

    @Option(name: .long, help: "Frames decoded at once, one thread each.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
        if out == nil && node.to == nil { throw ValidationError("give --out DIR, --to AET@HOST:PORT, or both") }
        if let frames, FrameRange.parse(frames) == nil {
            throw ValidationError("--frames takes A-B with 1 <= A <= B, e.g. 3-7 (or a single frame number)")
        }
    }

    func run() throws {
        let client = try node.to.map { try node.connection.client(for: $0) }
        let scratch = out == nil ? try RestoreToNodeOptions.scratchFolder() : nil
        defer { if let scratch { try? FileManager.default.removeItem(at: scratch) } }
        let output = scratch ?? URL(fileURLWithPath: out ?? "")
        let library = try ProfileFolders.library(explicit: profiles)
        let restorer = Restorer(
            library: library,
            options: .init(
                input: URL(fileURLWithPath: input), output: output, jobs: jobs,
                frames: frames.flatMap(FrameRange.parse), uidRoot: uidRoot,
                containers: try shard.selection().map {
                    $0.plan.containers(of: $0.shard, in: URL(fileURLWithPath: input))
                },
                progress: ProgressBar.handler(quiet: false)))
        let outcome = try restorer.run()
        if let out { print("\(outcome.restored.count) instances restored to \(out)") }
        for failure in outcome.failures { print("FAILED \(failure)") }
        let sendFailed = try client.map { try RestoreToNodeOptions.send(outcome.restored, to: $0) } ?? false
        if !outcome.failures.isEmpty || outcome.restored.isEmpty || sendFailed { throw ExitCode(1) }
    }
}

/// `A-B` or `A` (1-based, inclusive).
enum FrameRange {
    static func parse(_ text: String) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard (1...2).contains(parts.count), let first = parts[0], let last = parts[parts.count - 1],
            first >= 1, last >= first
        else { return nil }
        return first...last
    }
}
