#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Random-access reads from a container: a file read with `pread` (safe from several threads) or bytes
/// in memory. Callers bound every read by `size` first; a short read is reported, never trusted.
protocol ByteSource: Sendable {
    var size: Int { get }
    func read(offset: Int, count: Int, site: ErrorSite) throws -> [UInt8]
}

/// Bytes already in memory.
struct MemoryByteSource: ByteSource {
    let bytes: [UInt8]

    var size: Int { bytes.count }

    func read(offset: Int, count: Int, site: ErrorSite) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw site.error(.truncated("needs bytes \(offset)..<\(offset + count), the container has \(bytes.count)"))
        }
        return Array(bytes[offset..<(offset + count)])
    }
}

/// A regular file, open for reading until the source is released.
final class FileByteSource: ByteSource {
    private let descriptor: Int32
    let size: Int

    init(path: String) throws {
        let site = ErrorSite(file: path, part: .file)
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw site.error(.io("cannot open: \(String(cString: strerror(errno)))"))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let message = String(cString: strerror(errno))
            close(descriptor)
            throw site.error(.io("cannot stat: \(message)"))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw site.error(.io("not a regular file"))
        }
        self.descriptor = descriptor
        self.size = Int(status.st_size)
    }

    deinit { close(descriptor) }

    func read(offset: Int, count: Int, site: ErrorSite) throws -> [UInt8] {
        guard offset >= 0, count >= 0, offset <= size, count <= size - offset else {
            throw site.error(.truncated("needs bytes \(offset)..<\(offset + count), the file has \(size)"))
        }
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let result = buffer.withUnsafeMutableBytes { buffer in
                pread(descriptor, buffer.baseAddress! + done, count - done, off_t(offset + done))
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else {
                let reason =
                    result == 0 ? "the file ended early (was it changed while open?)" : String(cString: strerror(errno))
                throw site.error(.io("reading \(count) bytes at \(offset): \(reason)"))
            }
            done += result
        }
        return buffer
    }
}
