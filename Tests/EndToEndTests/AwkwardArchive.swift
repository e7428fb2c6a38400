import Foundation
import Testing
import TestSupport

/// Archives that tests of issue 13 make for themselves: variants of the Spectralis sample written
/// by `Scripts/testdata/derive_sample.py` (pydicom), in a scratch folder.
struct AwkwardArchive {
    let work: URL

    init() throws {
        work = try Fixtures.makeTemporaryDirectory("octarc-awkward")
    }

    func remove() { try? FileManager.default.removeItem(at: work) }

    func url(_ relative: String) -> URL { work.appendingPathComponent(relative) }

    /// Writes `relative` (under the scratch folder) from frames of the Spectralis sample;
    /// `options` are derive_sample.py's (`--frames 0,1`, `--blank 0`, `--size 8x8`, ...).
    @discardableResult
    func instance(_ relative: String, _ options: [String]) throws -> URL {
        let destination = url(relative)
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let python = try #require(Tools.find("python3"), "python3 is needed to make test data")
        let result = try Tools.run(python, [
            Fixtures.repositoryRoot.appendingPathComponent("Scripts/testdata/derive_sample.py").path,
            Fixtures.samples.appendingPathComponent("duke-subject07-8bit.dcm").path, destination.path,
        ] + options)
        try #require(result.status == 0, "derive_sample.py failed: \(result.output)")
        return destination
    }

    /// Runs octarc with the repository's profiles.
    @discardableResult
    func octarc(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try OctarcTool.run(arguments)
    }

    /// The manifest of an output folder, parsed.
    func manifest(_ out: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(out).appendingPathComponent("manifest.json"))) as! [String: Any]
    }

    /// The series entries of a manifest, by Series Instance UID.
    func series(_ out: String) throws -> [String: [String: Any]] {
        let entries = try manifest(out)["series"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: entries.map { ($0["series_instance_uid"] as! String, $0) })
    }

    /// `.octz` files under `out`, by relative path.
    func containers(_ out: String) throws -> [String: Data] {
        try OctarcTool.contents(of: url(out), extension: "octz")
    }
}
