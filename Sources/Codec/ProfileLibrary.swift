import Foundation
import Neural

/// Where profiles are found: folders holding one sub-folder per profile (`Profiles/cr40/profile.json`).
///
/// Which folders to search is the caller's decision (the command line finds them from `--profiles`,
/// `$OCTARC_PROFILES` and where the executable is installed); a library only searches them.
public struct ProfileLibrary: Sendable {
    public let folders: [URL]
    /// The widest instruction set decoders may use (`Profile.load`); the pixels are the same at each.
    public let decoderInstructionSet: Network.KernelInstructionSet

    public init(folders: [URL], decoderInstructionSet: Network.KernelInstructionSet = .avx512) {
        self.folders = folders
        self.decoderInstructionSet = decoderInstructionSet
    }

    /// The names of all profiles found, sorted; a name found in two folders counts once (the first wins).
    public func names() -> [String] {
        var names = Set<String>()
        for folder in folders {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for entry in entries
            where FileManager.default.fileExists(
                atPath: folder.appendingPathComponent(entry).appendingPathComponent("profile.json").path)
            {
                names.insert(entry)
            }
        }
        return names.sorted { ($0.count, $0) < ($1.count, $1) }
    }

    /// The folder of profile `name`: the first search folder that has it.
    public func folder(of name: String) throws -> URL {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw CodecError.profileNotFound(name: name, searched: folders.map(\.path), available: names())
        }
        for folder in folders {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("profile.json").path) {
                return candidate
            }
        }
        throw CodecError.profileNotFound(name: name, searched: folders.map(\.path), available: names())
    }

    /// Loads profile `name` (see `Profile.load`).
    public func load(_ name: String, threads: Int = 1) throws -> Profile {
        try Profile.load(from: folder(of: name), threads: threads, decoderInstructionSet: decoderInstructionSet)
    }
}
