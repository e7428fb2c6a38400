import Foundation
import TestSupport
import Testing

/// convert -> restore -> verify on the committed samples with the default profile (cr50le), through the
/// octarc binary, as a user runs it; dciodvfy on the restored files. The same pipeline's other
/// behaviour is tested in process with the fixture profiles (ArchiveTests' `PipelineRoundTripTests`).
@Suite(.serialized) struct ConvertRestoreVerifyTests {}

extension ConvertRestoreVerifyTests {
    @Test func samplesRoundTripAboveTheProfileFloorAsValidDICOM() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let octz = work.appendingPathComponent("octz")
        let restored = work.appendingPathComponent("restored")
        let report = work.appendingPathComponent("report")

        // The default profile: what a user who names none gets (cr50le, context-coded, lesion-trained).
        let convert = try OctarcTool.run(["convert", Fixtures.samples.path, "--out", octz.path])
        #expect(convert.status == 0, "\(convert.output)")
        #expect(convert.output.contains("skipped README.md: not a DICOM file"))
        let restore = try OctarcTool.run(["restore", octz.path, "--out", restored.path])
        #expect(restore.status == 0, "\(restore.output)")
        #expect(restore.output.contains("2 instances restored"), "\(restore.output)")
        let verify = try OctarcTool.run(["verify", Fixtures.samples.path, restored.path, "--report", report.path])
        #expect(verify.status == 0, "\(verify.output)")

        let json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: report.appendingPathComponent("report.json")))
            as! [String: Any]
        let summary = json["summary"] as! [String: Any]
        let manifest =
            try JSONSerialization.jsonObject(with: Data(contentsOf: octz.appendingPathComponent("manifest.json")))
            as! [String: Any]
        let used = (manifest["profile"] as! [String: Any])["name"] as! String
        let profile =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Fixtures.profiles.appendingPathComponent("\(used)/profile.json")))
            as! [String: Any]
        let floor = (profile["floors"] as! [String: Any])["msssim_roi"] as! Double
        #expect(summary["frames"] as? Int == 21)
        #expect((summary["msssim_roi_min"] as! Double) >= floor)
        // The same overall ratio as convert's (all original pixel bytes / all container bytes), though the
        // two series differ in frame size and bit depth; verify reads it back from the restored files.
        let series = manifest["series"] as! [[String: Any]]
        // `octarc profiles` marks exactly the profile convert used, and nothing else.
        let listed = try OctarcTool.run(["profiles"])
        #expect(listed.status == 0, "\(listed.output)")
        let marked = listed.output.split(separator: "\n").filter { $0.contains("(convert's default)") }
        #expect(
            marked.map { String($0.prefix { $0 != " " }) } == [used], "\(marked)")
        let converted =
            Double(series.reduce(0) { $0 + ($1["original_pixel_bytes"] as! Int) })
            / Double(series.reduce(0) { $0 + ($1["output_bytes"] as! Int) })
        #expect(
            abs((summary["stored_cr"] as! Double) / converted - 1) < 0.005,
            "verify \(summary["stored_cr"]!), convert \(converted)")
        for name in ["frames.csv", "quality-vs-cr.svg"] {
            #expect(FileManager.default.fileExists(atPath: report.appendingPathComponent(name).path))
        }
        #expect(try OctarcTool.contents(of: report, extension: "png").keys.contains { $0.hasPrefix("worst-1-") })

        // Every restored file: nothing from dciodvfy that its original does not also get, but the one
        // warning about octarc's own Lossy Image Compression Method term.
        let files = try OctarcTool.contents(of: restored, extension: "dcm")
        #expect(files.count == 2)
        if Tools.find("dciodvfy") != nil {
            let originals = ["duke-subject07-8bit.dcm", "bioptigen-subj13-12bit.dcm"].map {
                Fixtures.samples.appendingPathComponent($0)
            }
            let before = try originals.reduce(into: Set<String>()) { $0.formUnion(try Tools.dciodvfyFindings($1)) }
            for name in files.keys {
                let new = try Tools.dciodvfyFindings(restored.appendingPathComponent(name)).subtracting(before)
                #expect(
                    new == [
                        "Warning - Unrecognized defined term <OCTARC_CNN> for value 1 of attribute <Lossy Image Compression Method>"
                    ],
                    "\(name): \(new.sorted())")
            }
        }
    }
}
