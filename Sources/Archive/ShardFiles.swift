import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// File helpers of sharded runs: atomic JSON, advisory locks, and error reasons without framework text.
enum ShardFiles {
    /// Writes `value` as sorted, pretty JSON to `url` under a temporary name, then renames it into place.
    static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).partial")
        do {
            try data.write(to: temporary)
        } catch {
            throw ArchiveError.noInput("cannot write \(url.path): \(reason(error))")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let why = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ArchiveError.noInput("cannot write \(url.path): \(why)")
        }
    }

    /// Decodes JSON from `url`, or nil when the file is absent or does not parse.
    static func readJSON<T: Decodable>(_ type: T.Type, from url: URL) -> T? {
        guard let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(type, from: data)
    }

    /// A short reason for a Foundation error: the POSIX error's text when there is one, never the
    /// framework's domain and code.
    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        switch ns.code {
        case NSFileNoSuchFileError, NSFileReadNoSuchFileError: return "no such file"
        case NSFileReadNoPermissionError, NSFileWriteNoPermissionError: return "permission denied"
        default: return "I/O error"
        }
    }
}

/// An exclusive advisory lock (`flock`) on a file, held until `unlock()` or release. flock locks work
/// between processes on one machine and, on Linux, across NFSv4 clients (emulated with POSIX locks).
final class FileLock {
    private var descriptor: Int32

    private init(descriptor: Int32) { self.descriptor = descriptor }

    /// Takes the lock on `url` (creating the file), waiting for it when `wait`, else returning nil
    /// when another process holds it.
    static func acquire(_ url: URL, wait: Bool) throws -> FileLock? {
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ArchiveError.noInput("cannot open the lock file \(url.path): \(String(cString: strerror(errno)))")
        }
        while flock(descriptor, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            let code = errno
            if code == EINTR { continue }
            close(descriptor)
            if code == EWOULDBLOCK { return nil }
            throw ArchiveError.noInput("cannot lock \(url.path): \(String(cString: strerror(code)))")
        }
        return FileLock(descriptor: descriptor)
    }

    func unlock() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { unlock() }
}
