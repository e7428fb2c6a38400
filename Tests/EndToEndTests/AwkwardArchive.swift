import Foundation
import TestSupport
import Testing

/// Archives that tests of issue 13 make for themselves: variants of the Spectralis sample written
/// by `Scripts/testdata/derive_sample.py` (pydicom, through `SampleVariants`), in a scratch folder.
struct AwkwardArchive: ScratchArchive {
    let work: URL

    init() throws {
        work = try Fixtures.makeTemporaryDirectory("octarc-awkward")
    }

    /// Runs octarc with the repository's profiles.
    @discardableResult
    func octarc(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try OctarcTool.run(arguments)
    }

    /// Runs octarc with the fixture profiles (`--profile fixture-a` for convert): for checks of the
    /// command line itself, where the codec's size only costs time.
    @discardableResult
    func octarcWithFixtures(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try OctarcTool.run(
            arguments + (arguments.first == "convert" ? ["--profile", "fixture-a"] : []),
            profiles: OctarcTool.fixtureProfiles)
    }

    /// The manifest of an output folder, parsed.
    func manifest(_ out: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(out).appendingPathComponent("manifest.json")))
            as! [String: Any]
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
