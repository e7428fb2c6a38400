import Foundation
import TestSupport

/// The built `octarc` binary, run as a user would.
enum OctarcTool {
    /// `octarc` beside the test bundle (SwiftPM builds every product before the tests).
    static let binary: String = Bundle.main.bundleURL.appendingPathComponent("octarc").path

    /// The fixture profiles (`fixture-a`, `fixture-b`: tiny codecs, `Scripts/regenerate-fixture-profiles`),
    /// for runs that test the command line rather than the codec.
    static let fixtureProfiles = Fixtures.testData.appendingPathComponent("profiles")

    /// Runs `octarc arguments...` with the repository's profiles (or `profiles`).
    @discardableResult
    static func run(_ arguments: [String], profiles: URL = Fixtures.profiles) throws -> (status: Int32, output: String)
    {
        try Tools.run(binary, arguments, environment: ["OCTARC_PROFILES": profiles.path])
    }

    /// The files under `folder` (relative paths) with their contents, hidden files excluded.
    static func contents(of folder: URL, extension ext: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(
            at: folder, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
        while let url = enumerator?.nextObject() as? URL {
            if url.pathExtension == ext {
                out[String(url.path.dropFirst(folder.path.count + 1))] = try Data(contentsOf: url)
            }
        }
        return out
    }

    /// A folder holding only the given sample files (copies), for runs that need less than all of Samples/.
    static func archive(_ names: [String], in folder: URL) throws -> URL {
        let archive = folder.appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.copyItem(
                at: Fixtures.samples.appendingPathComponent(name),
                to: archive.appendingPathComponent(name))
        }
        return archive
    }
}
