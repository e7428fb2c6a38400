import Foundation

/// A file-system failure in words a person can act on ("no space left on the device", "read-only
/// file system", "permission denied"), never Foundation's `NSCocoaErrorDomain Code=...` text.
public enum FileErrorText {
    /// The reason, without the path.
    public static func describe(_ error: Error) -> String {
        if let archive = error as? ArchiveError { return archive.description }
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return "\(error)" }
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posix(Int32(underlying.code))
        }
        if ns.domain == NSPOSIXErrorDomain { return posix(Int32(ns.code)) }
        switch ns.code {
        case NSFileWriteOutOfSpaceError: return posix(ENOSPC)
        case NSFileWriteVolumeReadOnlyError: return posix(EROFS)
        case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return posix(EACCES)
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return posix(ENOENT)
        case NSFileWriteFileExistsError: return posix(EEXIST)
        default:
            if let path = path(of: ns), let blocker = fileInTheWay(of: path) {
                return "\(blocker) is a file, where a folder is needed"
            }
            return "the file system refused (\(ns.localizedDescription))"
        }
    }

    /// A whole sentence, naming the path when the error carries one: "cannot write /a/b: read-only
    /// file system". Nil for errors that are not file-system errors.
    public static func sentence(_ error: Error) -> String? {
        let ns = error as NSError
        guard ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain else { return nil }
        let verb = (NSFileReadUnknownError...NSFileReadUnsupportedSchemeError).contains(ns.code) ? "read" : "write"
        let reason = describe(error)
        return path(of: ns).map { "cannot \(verb) \($0): \(reason)" } ?? "cannot \(verb): \(reason)"
    }

    /// strerror's text, with "no space left" spelled out for a full disk.
    public static func posix(_ code: Int32) -> String {
        switch code {
        case ENOSPC: return "no space left on the device"
        case EROFS: return "read-only file system"
        case EACCES, EPERM: return "permission denied"
        case ENOTDIR: return "a file is in the way where a folder is needed"
        case EEXIST: return "a file of that name is in the way"
        default: return String(cString: strerror(code)).lowercased()
        }
    }

    private static func path(of error: NSError) -> String? {
        (error.userInfo[NSFilePathErrorKey] as? String) ?? (error.userInfo[NSURLErrorKey] as? URL)?.path
    }

    /// The first existing component of `path` that is a file, not a folder.
    private static func fileInTheWay(of path: String) -> String? {
        var prefix = ""
        for component in path.split(separator: "/") {
            prefix += "/" + component
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: prefix, isDirectory: &isDirectory) else { return nil }
            if !isDirectory.boolValue { return prefix }
        }
        return nil
    }
}
