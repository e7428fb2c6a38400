import Archive
import ArgumentParser
import Codec
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Measure restored OCT against the originals: MS-SSIM, SSIM, PSNR, layer shift, compression ratios.",
        discussion: """
            RESTORED is a folder of restored DICOM (paired with the originals through the derivation \
            reference) or of .octz containers (decoded on the fly). ROI metrics compare against the \
            preprocessed ROI band (the codec's input, the paper's setting); frame metrics against the \
            original frame, padding excluded. Exit status 1 when a frame falls below the profile's \
            MS-SSIM floor, when anything could not be compared (a container or file that cannot be read), \
            when an original has no restored counterpart, or when no frame was compared.
            """)

    @Argument(help: "The original archive (left out with --from).")
    var originals: String

    @Argument(help: "Restored DICOM, or .octz containers (a file, a folder, or a manifest).")
    var restored: String?

    @OptionGroup(title: "Originals from a DICOM node") var node: VerifyFromNodeOptions

    @OptionGroup var shard: ShardOptions

    @Option(name: .long, help: "Write report.json, frames.csv, worst-frame PNGs and a plot into this folder.")
    var report: String?

    @Option(name: .long, help: "Write each frame's preprocessed ROI band as PNG into this folder.")
    var exportRoi: String?

    @Option(name: .long, help: "Profile to preprocess with (default: the one the restored files name).")
    var profile: String?

    @Option(name: .long, help: ProfileFolders.help)
    var profiles: String?

    @Option(name: .long, help: "Frames measured at once.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Print report.json on standard output instead of the table.")
    var json = false

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
        if (node.from == nil) != (restored != nil) {
            throw ValidationError("give ORIGINALS RESTORED, or --from AET@HOST:PORT RESTORED")
        }
    }

    func run() throws {
        // With --from, the one path given is RESTORED; the originals come from the node.
        let restored = self.restored ?? originals
        let fetched = try node.fetchOriginals(of: URL(fileURLWithPath: restored))
        defer { if let fetched { try? FileManager.default.removeItem(at: fetched) } }
        let originals = fetched ?? URL(fileURLWithPath: self.originals)
        let library = try ProfileFolders.library(explicit: profiles)
        let selection = try shard.selection()
        let verifier = Verifier(
            library: library,
            options: .init(
                originals: originals, restored: URL(fileURLWithPath: restored), jobs: jobs,
                profile: profile, exportROI: exportRoi.map { URL(fileURLWithPath: $0) }, quiet: json,
                originalFiles: selection.map { $0.plan.files(of: $0.shard) },
                restoredContainers: selection.flatMap { containers(of: $0) }, progress: ProgressBar.handler(quiet: json)
            ))
        let (result, worst) = try verifier.run()
        if let report {
            try result.writeFolder(to: URL(fileURLWithPath: report), worst: worst)
        }
        if json {
            print(String(decoding: try result.json(), as: UTF8.self))
        } else {
            print(result.summaryText())
            if let report { print("report: \(report)") }
        }
        if !result.passed {
            if json { FileHandle.standardError.write(Data((result.verdict + "\n").utf8)) }
            throw ExitCode(1)
        }
    }

    /// The shard's containers when RESTORED is the convert's output folder and holds them all (so a
    /// shard opens only its own); nil otherwise (restored DICOM, or a folder searched as usual).
    private func containers(of selection: ShardOptions.Selection) -> [URL]? {
        let containers = selection.plan.containers(of: selection.shard, in: URL(fileURLWithPath: restored ?? originals))
        return containers.allSatisfy { FileManager.default.fileExists(atPath: $0.path) } ? containers : nil
    }
}
