import Codec
import Container
import Foundation
import Support

/// Profiles loaded once per run, by name, and the check that a container's profile is the one
/// installed under its name (same weights SHA-256).
final class ProfileCache: Sendable {
    private let library: ProfileLibrary
    private let loaded = Locked([String: FrameCodec]())

    init(library: ProfileLibrary) {
        self.library = library
    }

    /// The codec of the profile installed as `name`, loaded on first use.
    func codec(named name: String) throws -> FrameCodec {
        try loaded.withLock { loaded in
            if let cached = loaded[name] { return cached }
            let codec = FrameCodec(profile: try library.load(name))
            loaded[name] = codec
            return codec
        }
    }

    /// The codec for the profile `reader`'s container was written with; refuses a weights mismatch.
    func codec(for reader: OctzReader) throws -> FrameCodec {
        let name = reader.header.profileName
        let codec = try codec(named: name)
        guard codec.profile.weightsSHA256 == reader.header.profileWeightsSHA256 else {
            throw ArchiveError.profileMismatch(
                file: reader.name, name: name,
                containerSHA256: Hex.string(reader.header.profileWeightsSHA256),
                installedSHA256: Hex.string(codec.profile.weightsSHA256))
        }
        return codec
    }
}
