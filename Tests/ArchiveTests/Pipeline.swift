import Archive
import Codec
import Foundation
import TestSupport
import Testing

/// convert, restore and verify in process (`Converter`, `Restorer`, `Verifier`), with the fixture
/// profiles of `Tests/Data/profiles` (tiny codecs written by the shipped profiles' builder:
/// `Scripts/regenerate-fixture-profiles`), in a scratch folder of archives the test makes itself.
struct Pipeline: ScratchArchive {
    /// The fixture profiles' folder.
    static let profiles = Fixtures.testData.appendingPathComponent("profiles")
    static let library = ProfileLibrary(folders: [profiles])
    /// Loaded once per test process.
    static let codecs = Result {
        try ["fixture-a", "fixture-b"].reduce(into: [String: FrameCodec]()) {
            $0[$1] = FrameCodec(profile: try library.load($1))
        }
    }

    static func codec(_ name: String = "fixture-a") throws -> FrameCodec {
        try #require(try codecs.get()[name])
    }

    let work: URL

    init() throws {
        work = try Fixtures.makeTemporaryDirectory("octarc-pipeline")
    }

    /// Copies files of `Samples/` into the folder `relative`.
    @discardableResult
    func samples(_ names: [String], into relative: String) throws -> URL {
        let folder = url(relative)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.copyItem(
                at: Fixtures.samples.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    /// `octarc convert ARCHIVE --out OUT --profile PROFILE`, in process.
    @discardableResult
    func convert(
        _ archive: String, _ out: String, profile: String = "fixture-a", jobs: Int = 2, replace: Bool = false,
        copyOther: Bool = false
    ) throws -> Converter.Outcome {
        try Converter(
            codec: try Self.codec(profile),
            options: .init(
                archive: url(archive), output: url(out), jobs: jobs, copyOther: copyOther, quiet: true, replace: replace
            )
        ).run()
    }

    /// `octarc restore INPUT --out OUT [--frames A-B]`, in process.
    @discardableResult
    func restore(
        _ input: String, _ out: String, frames: ClosedRange<Int>? = nil,
        library: ProfileLibrary = Pipeline.library
    ) throws -> Restorer.Outcome {
        try Restorer(
            library: library, options: .init(input: url(input), output: url(out), jobs: 2, frames: frames, quiet: true)
        ).run()
    }

    /// `octarc verify ORIGINALS RESTORED`, in process.
    func verify(_ originals: String, _ restored: String) throws -> (report: VerifyReport, worst: [WorstFrame]) {
        try Verifier(
            library: Self.library,
            options: .init(
                originals: url(originals), restored: url(restored), jobs: 2,
                quiet: true)
        ).run()
    }

    /// The manifest of an output folder, parsed as plain JSON (what a reader of manifest.json sees).
    func manifest(_ out: String) throws -> [String: Any] {
        let data = try Data(contentsOf: url(out).appendingPathComponent("manifest.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The series entries of a manifest, by Series Instance UID.
    func series(_ out: String) throws -> [String: [String: Any]] {
        let entries = try manifest(out)["series"] as? [[String: Any]] ?? []
        return Dictionary(uniqueKeysWithValues: entries.map { ($0["series_instance_uid"] as? String ?? "", $0) })
    }

    /// Files under `relative` with extension `ext`, by relative path, with their contents (hidden files excluded).
    func files(_ relative: String, extension ext: String) throws -> [String: Data] {
        let folder = url(relative)
        var out: [String: Data] = [:]
        let enumerator = FileManager.default.enumerator(
            at: folder, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles])
        while let file = enumerator?.nextObject() as? URL {
            if file.pathExtension == ext {
                out[String(file.path.dropFirst(folder.path.count + 1))] = try Data(contentsOf: file)
            }
        }
        return out
    }

    func containers(_ out: String) throws -> [String: Data] { try files(out, extension: "octz") }
}
