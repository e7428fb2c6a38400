import Foundation

/// A file-system failure in words a person can act on ("no space left on the device", "read-only
/// file system", "permission denied"), never Foundation's `NSCocoaErrorDomain Code=...` text.
public enum FileErrorText {
    public static func describe(_ error: Error) -> String {
        if let archive = error as? ArchiveError { return archive.description }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return posix(Int32(underlying.code))
        }
        if ns.domain == NSPOSIXErrorDomain { return posix(Int32(ns.code)) }
        if ns.domain == NSCocoaErrorDomain {
            switch ns.code {
            case NSFileWriteOutOfSpaceError: return posix(ENOSPC)
            case NSFileWriteVolumeReadOnlyError: return posix(EROFS)
            case NSFileWriteNoPermissionError, NSFileReadNoPermissionError: return posix(EACCES)
            case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return posix(ENOENT)
            case NSFileWriteFileExistsError: return "a file of that name is in the way"
            default: return "the file system refused (error \(ns.code))"
            }
        }
        return "\(error)"
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
}
