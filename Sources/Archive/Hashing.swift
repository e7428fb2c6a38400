import Foundation
import Support

/// SHA-256 helpers for manifests and deterministic UIDs.
enum Hashing {
    /// SHA-256 of a file's contents as hex, read in chunks so memory stays flat.
    static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(chunk)
        }
        return Hex.string(hasher.finalize())
    }

    /// SHA-256 of a string's UTF-8 bytes.
    static func sha256(_ text: String) -> [UInt8] {
        SHA256.hash(Array(text.utf8))
    }
}
