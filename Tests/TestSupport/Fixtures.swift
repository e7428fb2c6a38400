import Foundation

/// Locations of the data the tests read: the committed `Samples/`, the shared research data set
/// beside the checkout, and scratch directories.
public enum Fixtures {
    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The committed sample study.
    public static var samples: URL { repositoryRoot.appendingPathComponent("Samples") }

    /// The committed profiles.
    public static var profiles: URL { repositoryRoot.appendingPathComponent("Profiles") }

    /// Committed test fixtures (golden files, reference tensors).
    public static var testData: URL { repositoryRoot.appendingPathComponent("Tests/Data") }

    /// The shared research data (`../shared/data`, or `OCTARC_SHARED_DATA`).
    public static var sharedData: URL {
        if let path = ProcessInfo.processInfo.environment["OCTARC_SHARED_DATA"] {
            return URL(fileURLWithPath: path)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    /// Whether the shared research data is present on this machine. Tests that need it are
    /// enabled only then; everything else runs on `Samples/` and `Tests/Data`.
    public static var hasSharedData: Bool {
        FileManager.default.fileExists(atPath: sharedData.appendingPathComponent("dev").path)
    }

    /// A fresh, empty directory under the system's temporary directory.
    public static func makeTemporaryDirectory(_ label: String = "octarc-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
