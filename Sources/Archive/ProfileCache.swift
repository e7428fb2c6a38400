import Codec
import Container
import Foundation

/// Profiles loaded once per run, by name, and the check that a container's profile is the one
/// installed under its name (same weights SHA-256).
final class ProfileCache: @unchecked Sendable {
    private let library: ProfileLibrary
    private var loaded: [String: FrameCodec] = [:]
    private let lock = NSLock()

    init(library: ProfileLibrary) {
        self.library = library
    }

    /// The codec for the profile `reader`'s container was written with; refuses a weights mismatch.
    func codec(for reader: OctzReader) throws -> FrameCodec {
        lock.lock()
        defer { lock.unlock() }
        let name = reader.header.profileName
        let codec: FrameCodec
        if let cached = loaded[name] {
            codec = cached
        } else {
            codec = FrameCodec(profile: try library.load(name))
            loaded[name] = codec
        }
        guard codec.profile.weightsSHA256 == reader.header.profileWeightsSHA256 else {
            throw ArchiveError.profileMismatch(file: reader.name, name: name,
                                               containerSHA256: Hashing.hex(reader.header.profileWeightsSHA256),
                                               installedSHA256: Hashing.hex(codec.profile.weightsSHA256))
        }
        return codec
    }
}
