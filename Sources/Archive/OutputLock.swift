import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on an output folder, held for the duration of a run: `flock(2)` on a lock file
/// in the folder (`DIR/.octarc.lock` by default). The file records the holder's process id, so a
/// second run that finds the lock taken can say who holds it. The kernel drops the lock when the
/// holder exits, however it exits, so a killed run never leaves the folder locked.
///
/// ```swift
/// let lock = try OutputLock.acquire(in: output)   // throws .taken(pid:) while another run holds it
/// defer { lock.release() }
/// ```
public final class OutputLock: @unchecked Sendable {
    public static let defaultName = ".octarc.lock"

    /// Why the lock could not be taken.
    public enum Failure: Error, Equatable, CustomStringConvertible {
        /// Another process holds it (its pid, when the lock file records one).
        case taken(path: String, holder: Int32?)
        /// The lock file cannot be created or locked (read-only folder, ...).
        case unavailable(path: String, reason: String)

        public var description: String {
            switch self {
            case .taken(let path, let holder):
                let who = holder.map { "another octarc run (pid \($0))" } ?? "another octarc run"
                return "\(URL(fileURLWithPath: path).deletingLastPathComponent().path) is in use by \(who) "
                    + "(lock \(path)); wait for it to finish or choose another --out"
            case .unavailable(let path, let reason):
                return "cannot lock \(path): \(reason)"
            }
        }
    }

    public let path: String
    private var descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Takes the lock `name` in `folder` (which must exist) without waiting.
    public static func acquire(in folder: URL, name: String = defaultName) throws(Failure) -> OutputLock {
        let path = folder.appendingPathComponent(name).path
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unavailable(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.recordedHolder(descriptor)
            close(descriptor)
            if code == EWOULDBLOCK { throw .taken(path: path, holder: holder) }
            throw .unavailable(path: path, reason: String(cString: strerror(code)))
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return OutputLock(path: path, descriptor: descriptor)
    }

    private static func recordedHolder(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Releases the lock (also done when the lock is deinitialized or the process exits).
    public func release() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}
