/// Errors of the convert / restore / verify pipelines. Every message names the file (and frame) it
/// is about.
public enum ArchiveError: Error, Equatable, CustomStringConvertible {
    /// A container record whose contents do not fit together.
    case corruptRecord(String)
    /// A container written with a profile other than the one installed under that name.
    case profileMismatch(file: String, name: String, containerSHA256: String, installedSHA256: String)
    /// A path that holds nothing this command can use.
    case noInput(String)
    /// A frame that failed, with the reason.
    case frameFailed(file: String, frame: Int, frameCount: Int, reason: String)
    /// Restored and original files that cannot be compared.
    case mismatch(String)
    /// An output that cannot be written, with the reason in words (no framework error text).
    case writeFailed(path: String, reason: String)
    /// A rerun that would replace a container with one that holds less, or another profile's.
    case wouldDestroy(String)

    public var description: String {
        switch self {
        case .corruptRecord(let reason):
            return reason
        case .profileMismatch(let file, let name, let container, let installed):
            return "\(file): written with profile \(name) whose weights have SHA-256 \(container.prefix(16))…, "
                + "but the installed \(name) has \(installed.prefix(16))…; refusing to decode with other weights"
        case .noInput(let reason):
            return reason
        case .frameFailed(let file, let frame, let frameCount, let reason):
            return "\(file), frame \(frame + 1) of \(frameCount): \(reason)"
        case .mismatch(let reason):
            return reason
        case .writeFailed(let path, let reason):
            return "cannot write \(path): \(reason)"
        case .wouldDestroy(let reason):
            return reason
        }
    }
}
