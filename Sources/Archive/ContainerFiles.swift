import Foundation

/// Finds the containers a restore or verify is pointed at: one `.octz` file, a folder searched
/// recursively, or a convert manifest (its outputs).
enum ContainerFiles {
    static func find(_ input: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: input.path, isDirectory: &isDirectory) else {
            throw ArchiveError.noInput("\(input.path): no such file or folder")
        }
        if !isDirectory.boolValue {
            if input.lastPathComponent == Manifest.fileName || input.pathExtension == "json" {
                guard let manifest = Manifest.read(from: input.deletingLastPathComponent()) else {
                    throw ArchiveError.noInput("\(input.path): not a convert manifest")
                }
                return manifest.series.map { input.deletingLastPathComponent().appendingPathComponent($0.output) }
            }
            return [input]
        }
        let enumerator = FileManager.default.enumerator(
            at: input, includingPropertiesForKeys: nil,
            options: [.skipsHiddenFiles])
        var found: [URL] = []
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == "octz" { found.append(url) }
        }
        guard !found.isEmpty else { throw ArchiveError.noInput("\(input.path): no .octz containers in this folder") }
        return found.sorted { $0.path < $1.path }
    }
}
