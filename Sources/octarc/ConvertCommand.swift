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

    @Argument(help: "A folder tree of DICOM files (any names; a DICOMDIR may be present). Not with --from.")
    var archive: String?

    @OptionGroup(title: "Converting from a DICOM node") var node: ConvertFromNodeOptions

    @Option(name: .long, help: "Output folder.")
    var out: String

    @Option(name: .long, help: "Codec profile (see `octarc profiles`).")
    var profile: String = "cr40"

    @Option(name: .long, help: "Folder of profiles (default: $OCTARC_PROFILES, then Profiles/ beside the executable).")
    var profiles: String?

    @Option(name: .long, help: "Frames coded at once, one thread each (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .long, help: "Copy files that are not OCT DICOM into OUT/other/, unchanged.")
    var copyOther = false

    @Flag(name: .long, help: "Print the manifest as JSON on standard output, and no progress.")
    var json = false

    func validate() throws {
        if (archive == nil) == (node.from == nil) { throw ValidationError("give an ARCHIVE folder or --from AET@HOST:PORT (one of them)") }
    }

    func run() throws {
        if node.from != nil { return try runFromNode() }
        let archive = self.archive ?? ""
        let library = ProfileLibrary.standard(explicit: profiles.map { URL(fileURLWithPath: $0) })
        let codec = FrameCodec(profile: try library.load(profile))
        let converter = Converter(codec: codec, options: .init(
            archive: URL(fileURLWithPath: archive), output: URL(fileURLWithPath: out), jobs: jobs,
            copyOther: copyOther, quiet: json))
        let outcome = try converter.run()
        if json {
            print(String(decoding: try Data(contentsOf: URL(fileURLWithPath: out).appendingPathComponent(Manifest.fileName)), as: UTF8.self))
        } else {
            let manifest = outcome.manifest
            let original = manifest.series.reduce(0) { $0 + $1.originalPixelBytes }
            let stored = manifest.series.reduce(0) { $0 + $1.outputBytes }
            let frames = manifest.series.reduce(0) { $0 + $1.frames }
            print("\(manifest.series.count) series (\(outcome.converted) converted, \(outcome.upToDate) up to date), "
                  + "\(frames) frames, profile \(codec.profile.name)")
            if stored > 0 {
                print(String(format: "stored CR %.1f: %@ of pixel data in %@", Double(original) / Double(stored),
                             ByteCountFormatter.string(fromByteCount: Int64(original), countStyle: .file),
                             ByteCountFormatter.string(fromByteCount: Int64(stored), countStyle: .file)))
            }
            for skipped in manifest.skipped {
                print("\(skipped.failed ? "bad input" : "skipped") \(skipped.path): \(skipped.reason)"
                      + (skipped.copiedTo.map { " (copied to \($0))" } ?? ""))
            }
            for failure in outcome.failures { print("FAILED \(failure)") }
            print("manifest: \(URL(fileURLWithPath: out).appendingPathComponent(Manifest.fileName).path)")
        }
        if outcome.hadErrors { throw ExitCode(1) }
    }
}
