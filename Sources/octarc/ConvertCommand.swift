import Archive
import ArgumentParser
import Codec
import Foundation

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Compress every OCT series of a DICOM archive into one .octz container each, plus manifest.json.",
        discussion: """
            Containers are written to OUT/<Study Instance UID>/<Series Instance UID>.octz under a temporary \
            name and renamed when complete. Running the same command again resumes: series whose container \
            is complete and whose inputs are unchanged are skipped. Files that are not OCT DICOM are listed \
            as skipped, with the reason. Exit status 0 when every OCT series converted, 1 when an input was \
            bad or a series failed (the others still convert).
            """)

    @Argument(help: "A folder tree of DICOM files (any names; a DICOMDIR may be present); not with --plan or --from.")
    var archive: String?

    @OptionGroup var shard: ShardOptions

    @OptionGroup(title: "Converting from a DICOM node") var node: ConvertFromNodeOptions

    @Option(name: .long, help: "Output folder.")
    var out: String

    @Option(
        name: .long,
        help:
            ArgumentHelp(
                "Codec profile (see `octarc profiles`); cr50le was trained to keep small cysts, bright "
                    + "foci and IS/OS gaps, which the older cr10-cr80 despeckling erases; it stores cr50lt's "
                    + "bytes with a lighter encoder, and restores in under a third of the time of cr50l.")
    )
    var profile: String = Self.defaultProfile

    /// The profile convert uses when none is named (`octarc profiles` marks it).
    static let defaultProfile = "cr50le"

    @Option(name: .long, help: ProfileFolders.help)
    var profiles: String?

    @Option(name: .long, help: "Frames coded at once, one thread each.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Copy files that are not OCT DICOM into OUT/other/, unchanged.")
    var copyOther = false

    @Flag(
        name: .long,
        help: "Replace an existing container even when the new one holds fewer instances or another profile.")
    var replace = false

    @Flag(name: .long, help: "Print the manifest as JSON on standard output, and no progress.")
    var json = false

    func validate() throws {
        if jobs < 1 { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
        if node.from != nil {
            try shard.validate()
            if archive != nil { throw ValidationError("give an ARCHIVE folder or --from AET@HOST:PORT (one of them)") }
            if shard.plan != nil { throw ValidationError("--plan converts a folder archive, not --from") }
        } else {
            try shard.validate(archive: archive, what: "archive")
        }
    }

    func run() throws {
        if node.from != nil { return try runFromNode() }
        let library = try ProfileFolders.library(explicit: profiles)
        let codec = FrameCodec(profile: try library.load(profile))
        let options = Converter.Options(
            archive: URL(fileURLWithPath: archive ?? "."), output: URL(fileURLWithPath: out),
            jobs: jobs, copyOther: copyOther, quiet: json, replace: replace,
            progress: ProgressBar.handler(quiet: json))
        if let selection = try shard.selection() {
            return try runShard(codec: codec, options: options, selection: selection)
        }
        let outcome = try Converter(codec: codec, options: options).run()
        try printSummary(outcome, profile: codec.profile.name, from: nil)
        if outcome.hadErrors { throw ExitCode(1) }
    }
}

extension ConvertCommand {
    /// What a convert prints: the manifest as JSON with --json (failures on standard error), else
    /// the counts, the stored compression ratio, every skipped, kept and failed item, and the manifest.
    /// `from` names the node a convert --from read.
    func printSummary(_ outcome: Converter.Outcome, profile: String, from node: String?) throws {
        let manifestPath = URL(fileURLWithPath: out).appendingPathComponent(Manifest.fileName).path
        if json {
            print(String(decoding: try outcome.manifest.json(), as: UTF8.self))
            for failure in outcome.failures { FileHandle.standardError.write(Data("FAILED \(failure)\n".utf8)) }
            return
        }
        let manifest = outcome.manifest
        let original = manifest.series.reduce(0) { $0 + $1.originalPixelBytes }
        let stored = manifest.series.reduce(0) { $0 + $1.outputBytes }
        let frames = manifest.series.reduce(0) { $0 + $1.frames }
        print(
            "\(manifest.series.count) series\(node.map { " from \($0)" } ?? "") (\(outcome.converted) converted, "
                + "\(outcome.upToDate) up to date), \(frames) frames, profile \(profile)")
        if stored > 0 {
            print(
                String(
                    format: "stored CR %.1f: %@ of pixel data in %@", Double(original) / Double(stored),
                    ByteCountFormatter.string(fromByteCount: Int64(original), countStyle: .file),
                    ByteCountFormatter.string(fromByteCount: Int64(stored), countStyle: .file)))
        }
        for skipped in manifest.skipped {
            print(
                "\(skipped.failed ? "bad input" : "skipped") \(skipped.path): \(skipped.reason)"
                    + (skipped.copiedTo.map { " (copied to \($0))" } ?? ""))
        }
        for kept in outcome.kept { print("kept \(kept)") }
        for failure in outcome.failures { print("FAILED \(failure)") }
        print(outcome.manifestNotWritten == nil ? "manifest: \(manifestPath)" : "manifest NOT written: \(manifestPath)")
    }
}
