import CCrypto
import Foundation

/// SHA-256 over Debian's libcrypto (the EVP digest API), streaming or one-shot.
///
/// ```swift
/// var hasher = SHA256()
/// hasher.update(bytes)
/// let digest = hasher.finalize()          // 32 bytes
/// let same = SHA256.hash(bytes)
/// ```
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
            // Only an allocation failure gets here; there is nothing to recover.
            fatalError("libcrypto could not start a SHA-256 digest")
        }
        self.context = context
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Adds `bytes` to the digest.
    public mutating func update<D: ContiguousBytes>(_ bytes: D) {
        bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress, raw.count > 0 else { return }
            _ = EVP_DigestUpdate(context, base, raw.count)
        }
    }

    /// The 32-byte digest of everything added.
    public consuming func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        _ = digest.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
        return digest
    }

    /// The digest of `bytes` in one call.
    public static func hash<D: ContiguousBytes>(_ bytes: D) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }
}
