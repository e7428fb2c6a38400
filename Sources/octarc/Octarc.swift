import ArgumentParser

/// The `octarc` command: archival conversion of DICOM OCT studies with a learned codec.
@main
struct Octarc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octarc",
        abstract: "Compress DICOM OCT studies with a learned codec, restore them, and measure the fidelity.",
        version: OctarcVersion.string,
        subcommands: [
            DebugCommand.self,
        ]
    )
}

/// The tool's version, recorded in every container and manifest it writes.
enum OctarcVersion {
    static let string = "0.1.0"
}
