import Support

/// What can go wrong loading a profile or coding a band. Where a lower layer's error is the reason,
/// the case keeps it as `cause` (see `underlying`); the message stays the same either way.
public enum CodecError: Error, Equatable, CustomStringConvertible {
    /// The profile folder or its files are missing, malformed or inconsistent.
    case invalidProfile(path: String, reason: String, cause: ErrorCause? = nil)
    /// No profile of this name in any of the searched folders.
    case profileNotFound(name: String, searched: [String], available: [String])
    /// A band whose size the networks cannot take.
    case invalidBandSize(width: Int, height: Int, multiple: Int)
    /// A bitstream that does not decode with this profile.
    case corruptBitstream(reason: String, cause: ErrorCause? = nil)

    /// The lower layer's error this one was made from (file system, JSON, weights, entropy decoder),
    /// or nil when the problem was found here.
    public var underlying: (any Error)? {
        switch self {
        case .invalidProfile(_, _, let cause), .corruptBitstream(_, let cause): cause?.error
        case .profileNotFound, .invalidBandSize: nil
        }
    }

    public var description: String {
        switch self {
        case .invalidProfile(let path, let reason, _):
            return "invalid profile \(path): \(reason)"
        case .profileNotFound(let name, let searched, let available):
            let folders = searched.isEmpty ? "any profile folder (none found)" : searched.joined(separator: ", ")
            let choices =
                available.isEmpty ? "no profiles are installed" : "available: " + available.joined(separator: ", ")
            return "no profile named '\(name)' in \(folders); \(choices)"
        case .invalidBandSize(let width, let height, let multiple):
            return "band of \(height)x\(width) pixels (HxW): width and height must be positive multiples of \(multiple)"
        case .corruptBitstream(let reason, _):
            return "corrupt bitstream: \(reason)"
        }
    }
}
