/// What can go wrong loading a profile or coding a band.
public enum CodecError: Error, Equatable, CustomStringConvertible {
    /// The profile folder or its files are missing, malformed or inconsistent.
    case invalidProfile(path: String, reason: String)
    /// No profile of this name in any of the searched folders.
    case profileNotFound(name: String, searched: [String], available: [String])
    /// A band whose size the networks cannot take.
    case invalidBandSize(width: Int, height: Int, multiple: Int)
    /// A bitstream that does not decode with this profile.
    case corruptBitstream(reason: String)

    public var description: String {
        switch self {
        case .invalidProfile(let path, let reason):
            return "invalid profile \(path): \(reason)"
        case .profileNotFound(let name, let searched, let available):
            let folders = searched.isEmpty ? "any profile folder (none found)" : searched.joined(separator: ", ")
            let choices = available.isEmpty ? "no profiles are installed" : "available: " + available.joined(separator: ", ")
            return "no profile named '\(name)' in \(folders); \(choices)"
        case .invalidBandSize(let width, let height, let multiple):
            return "band of \(height)x\(width) pixels (HxW): width and height must be positive multiples of \(multiple)"
        case .corruptBitstream(let reason):
            return "corrupt bitstream: \(reason)"
        }
    }
}
