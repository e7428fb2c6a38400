import ArgumentParser
import Codec
import Foundation
import Neural

/// Where the command line looks for profiles (process state, so it lives here, not in Codec):
///
/// 1. `--profiles FOLDER` (an error if it is not a folder),
/// 2. `$OCTARC_PROFILES` (likewise),
/// 3. beside the running executable, found from `/proc/self/exe` (not argv[0], which is a bare
///    `octarc` when the tool is found on PATH): `PREFIX/share/octarc/Profiles` of an install
///    (`PREFIX/bin/octarc`), else a `Profiles` folder beside it or in one of its parent folders (the
///    repository's `Profiles/` from `.build/debug/octarc`).
enum ProfileFolders {
    static let help = ArgumentHelp(
        "Folder of profiles, searched first (then $OCTARC_PROFILES, then PREFIX/share/octarc/Profiles of the install).")

    static func library(explicit: String?) throws -> ProfileLibrary {
        var folders: [URL] = []
        if let explicit { folders.append(try existingFolder(explicit, from: "--profiles")) }
        if let environment = ProcessInfo.processInfo.environment["OCTARC_PROFILES"], !environment.isEmpty {
            folders.append(try existingFolder(environment, from: "OCTARC_PROFILES"))
        }
        if let installed = installed(executable: executableURL()) { folders.append(installed) }
        return ProfileLibrary(folders: folders, decoderInstructionSet: try decoderInstructionSet())
    }

    /// `$OCTARC_MAX_CPU_ISA` (generic, avx2 or avx512): the widest instruction set the decoder's
    /// exact kernels may use, as oneDNN's ONEDNN_MAX_CPU_ISA caps oneDNN. Restored pixels are the
    /// same at each; Scripts/check-cross-isa uses it to show that.
    static func decoderInstructionSet() throws -> Network.KernelInstructionSet {
        guard let value = ProcessInfo.processInfo.environment["OCTARC_MAX_CPU_ISA"], !value.isEmpty else {
            return .avx512
        }
        guard let set = Network.KernelInstructionSet(rawValue: value.lowercased()) else {
            throw ValidationError(
                "OCTARC_MAX_CPU_ISA is \(value); use one of "
                    + Network.KernelInstructionSet.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return set
    }

    /// The profiles folder of the installation or checkout that `executable` belongs to.
    static func installed(executable: URL) -> URL? {
        var directory = executable.resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            for candidate in [
                directory.appendingPathComponent("../share/octarc/Profiles").standardizedFileURL,
                directory.appendingPathComponent("Profiles"),
            ] where isFolder(candidate.path) {
                return candidate
            }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    private static func executableURL() -> URL {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            return URL(fileURLWithPath: path)
        }
        return Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
    }

    private static func existingFolder(_ path: String, from source: String) throws -> URL {
        guard isFolder(path) else {
            throw ValidationError(
                "\(source) \(path): no such folder (it should hold one folder per profile, e.g. cr40/)")
        }
        return URL(fileURLWithPath: path)
    }

    private static func isFolder(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
