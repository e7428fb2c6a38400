import Archive
import ArgumentParser

/// The `octarc` command: archival conversion of DICOM OCT studies with a learned codec.
@main
struct Octarc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octarc",
        abstract: "Compress DICOM OCT studies with a learned codec, restore them, and measure the fidelity.",
        version: OctarcVersion.string,
        subcommands: [
            InspectCommand.self,
            ConvertCommand.self,
            RestoreCommand.self,
            VerifyCommand.self,
            ProfilesCommand.self,
            DebugCommand.self,
        ]
    )
}
