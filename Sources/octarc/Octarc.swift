import Archive
import ArgumentParser
import Support

/// The `octarc` command: archival conversion of DICOM OCT studies with a learned codec.
@main
struct Octarc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octarc",
        abstract: "Compress DICOM OCT studies with a learned codec, restore them, and measure the fidelity.",
        version: OctarcVersion.string,
        subcommands: [
            InspectCommand.self,
            PlanCommand.self,
            ConvertCommand.self,
            ManifestCommand.self,
            RestoreCommand.self,
            VerifyCommand.self,
            ProfilesCommand.self,
            ExportBandsCommand.self,
            DebugCommand.self,
            EchoCommand.self,
        ]
    )

    static func main() {
        FrameBufferHeap.keepFreedBuffers()
        do {
            var command = try parseAsRoot(nil)
            try command.run()
        } catch {
            exit(withError: UserFacing.error(error))
        }
    }
}

/// What reaches the person at the terminal: file-system errors in words, with the path (never
/// `NSCocoaErrorDomain Code=...`); every other error as it is.
enum UserFacing {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func error(_ error: Error) -> Error {
        FileErrorText.sentence(error).map { Failure(description: $0) } ?? error
    }
}
