import Codec
import DICOM
import Foundation
import Imaging
import TestSupport
import Testing

@testable import Archive

/// convert → restore → verify in process on the 12-bit Bioptigen sample (5 frames) with the fixture
/// profile: one convert and one restore, made once per test process (`shared`), serve every test here
/// that only reads them; a test that changes anything works in its own scratch folder.
@Suite struct PipelineRoundTripTests {
    /// The sample converted (`--jobs 2`) into `out/` and restored into `restored/`.
    struct Shared: Sendable {
        let root: URL
        var archive: URL { root.appendingPathComponent("archive") }
        var out: URL { root.appendingPathComponent("out") }
        var restored: URL { root.appendingPathComponent("restored") }
    }

    static let shared = Result { () throws -> Shared in
        let p = try Pipeline()
        atexit { PipelineRoundTripTests.removeShared() }
        try p.samples(["bioptigen-subj13-12bit.dcm"], into: "archive")
        let convert = try p.convert("archive", "out", jobs: 2)
        guard convert.failures.isEmpty, convert.converted == 1 else {
            throw SampleVariants.Failure(description: "\(convert.failures)")
        }
        let restore = try p.restore("out", "restored")
        guard restore.failures.isEmpty, restore.restored.count == 1 else {
            throw SampleVariants.Failure(description: "\(restore.failures)")
        }
        return Shared(root: p.work)
    }

    static func removeShared() {
        if case .success(let shared) = shared { try? FileManager.default.removeItem(at: shared.root) }
    }

    static func files(_ folder: URL, extension ext: String) throws -> [String: Data] {
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
}

extension PipelineRoundTripTests {
    @Test func outputBytesDoNotDependOnJobs() throws {
        let shared = try Self.shared.get()
        let p = try Pipeline()
        defer { p.remove() }
        let one = try Converter(
            codec: try Pipeline.codec(),
            options: .init(
                archive: shared.archive, output: p.url("jobs1"), jobs: 1, quiet: true)
        ).run()
        #expect(one.failures.isEmpty)
        let reference = try Self.files(shared.out, extension: "octz")
        #expect(reference.count == 1)
        #expect(try p.containers("jobs1") == reference)
    }

    @Test func verifyingContainersDirectlyGivesTheSameScoresAsVerifyingRestoredDICOM() throws {
        let shared = try Self.shared.get()
        func scores(_ restored: URL) throws -> (VerifyReport, [Double]) {
            let (report, _) = try Verifier(
                library: Pipeline.library,
                options: .init(
                    originals: shared.archive, restored: restored, jobs: 2, quiet: true)
            ).run()
            return (
                report,
                report.frames.flatMap {
                    [
                        $0.msssimROI, $0.psnrFrame, $0.msssimRetina ?? -1, Double($0.falseCysts ?? -1),
                        Double($0.falseFoci ?? -1), $0.ilmDistancePx ?? -1, $0.bmDistancePx ?? -1,
                    ]
                }
            )
        }
        let (fromContainers, containerScores) = try scores(shared.out)
        let (fromDICOM, dicomScores) = try scores(shared.restored)
        #expect(fromContainers.frames.count == 5)
        #expect(containerScores == dicomScores)
        // Every frame with a retina has its false lesions counted, per size and in all.
        for frame in fromDICOM.frames where frame.retinaFound == true {
            #expect(frame.ilmDistancePx != nil && frame.bmDistancePx != nil)
            let sizes = try #require(frame.falseLesions)
            #expect(sizes.count == 7)
            #expect(
                frame.falseCysts == sizes.filter { $0.key.hasPrefix("cyst") }.values.reduce(0, +)
                    && frame.falseFoci == sizes.filter { $0.key.hasPrefix("focus") }.values.reduce(0, +))
        }
        #expect(fromContainers.passed && fromDICOM.passed, "\(fromDICOM.verdict)")
        #expect(fromDICOM.missing.isEmpty && fromDICOM.problems.isEmpty)
    }

    /// verify's false-lesion count on a frame of the 12-bit sample, measured as `Verifier.evaluate`
    /// does: an identical copy adds none, a dark 8 x 14 spot in the retina is one false cyst of that size.
    @Test func anIdenticalFrameHasNoFalseLesionAndADarkSpotIsOne() throws {
        let shared = try Self.shared.get()
        let instance = try #require(StudyArchive.scan(shared.archive).instances.first)
        let geometry = instance.geometry
        let original = FrameCodec.intensities(try instance.frame(2), geometry: geometry)
        let padding = FrameCodec.padding(original, geometry: geometry).mask
        let analysis = try Pipeline.codec().profile.preprocessor.analyze(original, padding: padding)
        #expect(analysis.retinaFound)
        func counts(_ restored: Image<Float>) -> [String: Int] {
            Dictionary(
                Verifier.falseLesions(
                    original: original, restored: restored, analysis: analysis, padding: padding?.image,
                    maxValue: geometry.maxValue
                ).map { ($0.size.description, 1) }, uniquingKeysWith: +)
        }
        #expect(counts(original).isEmpty)
        // A column where the retina is thickest, mid-way between ILM and BM.
        let x = (40..<(geometry.columns - 40)).max {
            analysis.bm[$0] - analysis.ilm[$0] < analysis.bm[$1] - analysis.ilm[$1]
        }!
        let y = (analysis.ilm[x] + analysis.bm[x]) / 2
        var spotted = original
        for dy in -4..<4 {
            for dx in -7..<7 where pow((Double(dy) + 0.5) / 4, 2) + pow((Double(dx) + 0.5) / 7, 2) < 1 {
                spotted[x + dx, y + dy] = original[x + dx, y + dy] * 0.3
            }
        }
        let spot = counts(spotted)
        #expect(spot["cyst 8x14"] == 1, "\(spot)")
        #expect(spot.filter { $0.key.hasPrefix("focus") }.values.allSatisfy { $0 == 0 }, "\(spot)")
    }

    @Test func aFrameRangeRestoresOnlyThoseFramesIdenticalToAFullRestore() throws {
        let shared = try Self.shared.get()
        let p = try Pipeline()
        defer { p.remove() }
        let partial = try Restorer(
            library: Pipeline.library,
            options: .init(
                input: shared.out, output: p.url("part"), jobs: 2, frames: 2...3, quiet: true)
        ).run()
        #expect(partial.failures.isEmpty, "\(partial.failures)")
        #expect(partial.restored.map(\.frames) == [2])
        let restored = try FileManager.default.subpathsOfDirectory(atPath: shared.restored.path)
        let full = try #require(restored.first(where: { (path: String) in path.hasSuffix(".dcm") }))
        let part = try #require(try p.files("part", extension: "dcm").keys.first)
        // Pixels read back through the DICOM module (DCMTK), frame by frame.
        let fullInstance = try #require(StudyArchive.scan(shared.restored.appendingPathComponent(full)).instances.first)
        let partInstance = try #require(StudyArchive.scan(p.url("part").appendingPathComponent(part)).instances.first)
        #expect(partInstance.geometry.numberOfFrames == 2)
        for (fullFrame, partFrame) in [(1, 0), (2, 1)] {
            #expect(try fullInstance.frame(fullFrame).pixels == partInstance.frame(partFrame).pixels)
        }
        if let dcmdump = Tools.find("dcmdump") {
            let dump = try Tools.run(dcmdump, [p.url("part").appendingPathComponent(part).path]).output
            #expect(dump.contains("(0028,0008) IS [2]"))
            #expect(dump.contains("(0008,1160) IS [2]") && dump.contains("(0008,1160) IS [3]"), "the frames referenced")
        }
    }

    @Test func aContainerWhoseProfileWeightsDifferIsRefused() throws {
        let shared = try Self.shared.get()
        let p = try Pipeline()
        defer { p.remove() }
        // The same profile name with other weights (one value changed, checksum updated to match).
        let changed = p.url("profiles/fixture-a")
        try FileManager.default.createDirectory(
            at: changed.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Pipeline.profiles.appendingPathComponent("fixture-a"), to: changed)
        var weights = try Data(contentsOf: changed.appendingPathComponent("weights.safetensors"))
        weights[weights.count - 1] ^= 0x01
        try weights.write(to: changed.appendingPathComponent("weights.safetensors"))
        let sha256sum = try #require(Tools.find("sha256sum"))
        let sha = try Tools.run(sha256sum, [changed.appendingPathComponent("weights.safetensors").path]).output.prefix(
            64)
        var profile = try String(contentsOf: changed.appendingPathComponent("profile.json"), encoding: .utf8)
        let old = try #require(profile.range(of: #""sha256": "[0-9a-f]{64}""#, options: .regularExpression))
        profile.replaceSubrange(old, with: "\"sha256\": \"\(sha)\"")
        try profile.write(to: changed.appendingPathComponent("profile.json"), atomically: true, encoding: .utf8)

        let result = try Restorer(
            library: ProfileLibrary(folders: [p.url("profiles")]),
            options: .init(
                input: shared.out, output: p.url("r"), jobs: 2, quiet: true)
        ).run()
        #expect(result.restored.isEmpty)
        #expect(result.failures.joined().contains("refusing to decode with other weights"), "\(result.failures)")
    }

    @Test func badInputsAreSkippedWithReasonsWhileGoodSeriesConvert() throws {
        let p = try Pipeline()
        defer { p.remove() }
        let archive = try p.samples(["bioptigen-subj13-12bit.dcm"], into: "archive")
        let fixtures = Fixtures.testData.appendingPathComponent("dicom")
        for name in ["ct-image.dcm", "short-pixel-data.dcm", "zero-frames.dcm"] {
            try FileManager.default.copyItem(
                at: fixtures.appendingPathComponent(name), to: archive.appendingPathComponent(name))
        }
        let duke = try Data(contentsOf: Fixtures.samples.appendingPathComponent("duke-subject07-8bit.dcm"))
        try duke.prefix(duke.count / 2).write(to: archive.appendingPathComponent("truncated.dcm"))
        try Data("not an image".utf8).write(to: archive.appendingPathComponent("notes.txt"))

        let result = try p.convert("archive", "out", copyOther: true)
        #expect(result.hadErrors, "bad inputs must give a non-zero exit")
        #expect(result.converted == 1 && result.failures.isEmpty, "\(result.failures)")
        #expect(try p.containers("out").count == 1)
        let manifest = try p.manifest("out")
        let skipped = Dictionary(
            uniqueKeysWithValues: (manifest["skipped"] as? [[String: Any]] ?? []).map {
                ($0["path"] as? String ?? "", $0)
            })
        #expect(
            Set(skipped.keys) == [
                "ct-image.dcm", "short-pixel-data.dcm", "zero-frames.dcm", "truncated.dcm", "notes.txt",
            ])
        #expect(skipped["notes.txt"]?["failed"] as? Bool == false)
        #expect(skipped["ct-image.dcm"]?["failed"] as? Bool == false)
        for bad in ["short-pixel-data.dcm", "zero-frames.dcm", "truncated.dcm"] {
            #expect(skipped[bad]?["failed"] as? Bool == true)
            let reason = skipped[bad]?["reason"] as? String
            #expect(reason?.isEmpty == false)
        }
        // --copy-other keeps every skipped input, unchanged.
        #expect(try Data(contentsOf: p.url("out/other/notes.txt")) == Data("not an image".utf8))
    }
}

// MARK: issue 13 rule 3, verify never says "fine" when something is wrong

extension PipelineRoundTripTests {
    @Test func verifyFailsOnMissingInstancesAndCorruptContainers() throws {
        let p = try Pipeline()
        defer { p.remove() }
        try p.instance("archive/one.dcm", ["--frames", "0", "--instance", "1"])
        try p.instance("archive/nogroups.dcm", ["--frames", "1", "--instance", "2", "--no-per-frame-groups"])
        let other = try p.instance("archive/other.dcm", ["--frames", "2", "--series-uid", "2.25.1414"])
        #expect(try p.convert("archive", "out").failures.isEmpty)
        // (d) an instance without a Per-frame Functional Groups Sequence restores, and pairs.
        let restore = try p.restore("out", "restored")
        #expect(restore.failures.isEmpty && restore.restored.count == 3, "\(restore.failures)")
        let whole = try p.verify("archive", "restored").report
        #expect(whole.passed, "\(whole.verdict)")
        #expect(whole.verdict.contains("verify PASSED"))
        #expect(whole.frames.count == 3)

        // (b) a whole series of the originals has no restored counterpart.
        let otherSeries = try #require(
            try FileManager.default.subpathsOfDirectory(atPath: p.url("restored").path)
                .first { $0.hasSuffix("2.25.1414") })
        try FileManager.default.removeItem(at: p.url("restored").appendingPathComponent(otherSeries))
        let (missing, _) = try p.verify("archive", "restored")
        #expect(!missing.passed)
        #expect(missing.verdict.contains("verify FAILED"))
        #expect(missing.missing.map(\.path) == [other.path])
        #expect(missing.summaryText().contains(other.path), "the summary verify prints names the missing original")
        try missing.write(to: p.url("report"))
        let report = try String(contentsOf: p.url("report/report.json"), encoding: .utf8)
        #expect(report.contains("\"missing\""))
        #expect(report.contains(other.path))
        #expect(!report.contains("\"nan\""), "numeric fields hold null, never \"nan\"")

        // (a), (c) a corrupt container: restore refuses it, and so does verify.
        let container = try #require(try p.containers("out").keys.first { $0.contains("2.25.1414") })
        let corrupt = p.url("corrupt/other.octz")
        try FileManager.default.createDirectory(
            at: corrupt.deletingLastPathComponent(), withIntermediateDirectories: true)
        var bytes = try Data(contentsOf: p.url("out").appendingPathComponent(container))
        for offset in stride(from: bytes.count / 2, to: bytes.count / 2 + 64, by: 1) { bytes[offset] ^= 0x5A }
        try bytes.write(to: corrupt)
        let restoreCorrupt = try p.restore("corrupt/other.octz", "restored-corrupt")
        #expect(!restoreCorrupt.failures.isEmpty)
        let verifyCorrupt = try Verifier(
            library: Pipeline.library,
            options: .init(
                originals: other, restored: corrupt, jobs: 2, quiet: true)
        ).run().report
        #expect(!verifyCorrupt.passed)
        #expect(verifyCorrupt.frames.isEmpty)
        #expect(verifyCorrupt.verdict.contains("no frame compared"), "\(verifyCorrupt.verdict)")
        #expect(!verifyCorrupt.summaryText().contains("every frame above"))
    }

    /// Issue 13 rule 10: verify over containers of two profiles names each frame's profile and judges it
    /// by that profile's floors.
    @Test func verifyOverTwoProfilesNamesEachFramesProfile() throws {
        let p = try Pipeline()
        defer { p.remove() }
        try p.instance("archive/one.dcm", ["--frames", "0"])
        try p.instance("archive/two.dcm", ["--frames", "1", "--series-uid", "2.25.1616"])
        try p.instance("a/one.dcm", ["--frames", "0"])
        try p.instance("b/two.dcm", ["--frames", "1", "--series-uid", "2.25.1616"])
        #expect(try p.convert("a", "mixed", profile: "fixture-a").failures.isEmpty)
        #expect(try p.convert("b", "other", profile: "fixture-b").failures.isEmpty)
        for (name, _) in try p.containers("other") {
            let destination = p.url("mixed").appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: p.url("other").appendingPathComponent(name), to: destination)
        }
        let report = try p.verify("archive", "mixed").report
        #expect(Set(report.frames.compactMap(\.profile)) == ["fixture-a", "fixture-b"])
        #expect(report.summary.profile == "fixture-a, fixture-b")
        // The same frames in JSON, as `verify --json` prints them.
        let json = try #require(try JSONSerialization.jsonObject(with: report.json()) as? [String: Any])
        #expect(
            Set((json["frames"] as? [[String: Any]] ?? []).compactMap { $0["profile"] as? String }) == [
                "fixture-a", "fixture-b",
            ])
    }
}

extension PipelineRoundTripTests {
    /// A container of the same original with the same weights but other records (here: another top
    /// margin, as another octarc version's preprocessing would give) restores other pixels, so it
    /// must restore under another SOP Instance UID; restoring the same container again gives the same.
    @Test func otherRecordsRestoreUnderAnotherUID() throws {
        let shared = try Self.shared.get()
        let p = try Pipeline()
        defer { p.remove() }
        let variant = p.url("profiles/fixture-a")
        try FileManager.default.createDirectory(at: variant, withIntermediateDirectories: true)
        let source = Pipeline.profiles.appendingPathComponent("fixture-a")
        try FileManager.default.copyItem(
            at: source.appendingPathComponent("weights.safetensors"),
            to: variant.appendingPathComponent("weights.safetensors"))
        var document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("profile.json")))
                as? [String: Any])
        var preprocessing = try #require(document["preprocessing"] as? [String: Any])
        preprocessing["top_margin"] = 40
        document["preprocessing"] = preprocessing
        try JSONSerialization.data(withJSONObject: document).write(to: variant.appendingPathComponent("profile.json"))
        let library = ProfileLibrary(folders: [p.url("profiles")])
        try p.samples(["bioptigen-subj13-12bit.dcm"], into: "archive")
        let converted = try Converter(
            codec: FrameCodec(profile: try library.load("fixture-a")),
            options: .init(archive: p.url("archive"), output: p.url("out"), jobs: 2, quiet: true)
        ).run()
        #expect(converted.failures.isEmpty && converted.converted == 1)
        #expect(try p.restore("out", "restored", library: library).failures.isEmpty)
        #expect(try p.restore("out", "again", library: library).failures.isEmpty)

        let original = try Self.files(shared.restored, extension: "dcm")
        let other = try Self.files(p.url("restored"), extension: "dcm")
        let again = try Self.files(p.url("again"), extension: "dcm")
        #expect(original.count == 1 && other.count == 1)
        #expect(Set(original.keys).isDisjoint(with: other.keys), "other pixels under the same UID")
        #expect(again == other)
    }
}
