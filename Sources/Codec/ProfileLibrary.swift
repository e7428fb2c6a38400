import Foundation

/// Where profiles are found: folders holding one sub-folder per profile (`Profiles/cr40/profile.json`).
///
/// The standard search order is an explicit folder (`--profiles`), then `$OCTARC_PROFILES`, then a
/// `Profiles` folder beside the executable or in one of its parent folders (which finds the
/// repository's `Profiles/` from `.build/release/octarc`), then `share/octarc/Profiles` of an install.
public struct ProfileLibrary: Sendable {
    public let folders: [URL]

    public init(folders: [URL]) {
        self.folders = folders
    }

    /// The standard search path, `explicit` first.
    public static func standard(explicit: URL? = nil) -> ProfileLibrary {
        var folders: [URL] = []
        if let explicit { folders.append(explicit) }
        if let environment = ProcessInfo.processInfo.environment["OCTARC_PROFILES"], !environment.isEmpty {
            folders.append(URL(fileURLWithPath: environment))
        }
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("Profiles")
            if FileManager.default.fileExists(atPath: candidate.path) {
                folders.append(candidate)
                break
            }
            let share = directory.appendingPathComponent("share/octarc/Profiles")
            if FileManager.default.fileExists(atPath: share.path) {
                folders.append(share)
                break
            }
            directory = directory.deletingLastPathComponent()
        }
        return ProfileLibrary(folders: folders)
    }

    /// The names of all profiles found, sorted; a name found in two folders counts once (the first wins).
    public func names() -> [String] {
        var names = Set<String>()
        for folder in folders {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            for entry in entries where FileManager.default.fileExists(
                atPath: folder.appendingPathComponent(entry).appendingPathComponent("profile.json").path) {
                names.insert(entry)
            }
        }
        return names.sorted { ($0.count, $0) < ($1.count, $1) }
    }

    /// The folder of profile `name`: the first search folder that has it.
    public func folder(of name: String) throws -> URL {
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw CodecError.profileNotFound(name: name, searched: folders.map(\.path))
        }
        for folder in folders {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("profile.json").path) {
                return candidate
            }
        }
        throw CodecError.profileNotFound(name: name, searched: folders.map(\.path))
    }

    /// Loads profile `name` (see `Profile.load`).
    public func load(_ name: String, threads: Int = 1) throws -> Profile {
        try Profile.load(from: folder(of: name), threads: threads)
    }
}
