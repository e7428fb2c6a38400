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
        keepFrameBuffersMapped()
        do {
            var command = try parseAsRoot(nil)
            try command.run()
        } catch {
            exit(withError: UserFacing.error(error))
        }
    }

    /// Every frame allocates the same few large buffers. glibc returns such blocks to the system
    /// after each frame and faults them in again on the next (segmentation ran 30% slower for it);
    /// raising the mmap and trim thresholds keeps them in the heap for reuse.
    private static func keepFrameBuffersMapped() {
        #if os(Linux)
        let trimThreshold: Int32 = -1
        let mmapThreshold: Int32 = -3  // M_TRIM_THRESHOLD, M_MMAP_THRESHOLD (malloc.h)
        _ = glibcMallopt(mmapThreshold, 64 << 20)
        _ = glibcMallopt(trimThreshold, 256 << 20)
        #endif
    }
}

#if os(Linux)
/// glibc's mallopt (malloc.h is not part of Swift's Glibc module).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif

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
