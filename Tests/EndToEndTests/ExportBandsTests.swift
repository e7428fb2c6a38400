import Foundation
import TestSupport
import Testing

/// `octarc export-bands`, the training pipeline's entry (Scripts/training/prepare_data.py runs it).
@Suite struct ExportBandsTests {
    /// A folder of frames gives a band and a mask per frame, geometry.jsonl with a line each, and
    /// the parameters used; a missing input is named.
    @Test func aFolderOfFramesGivesBandsMasksAndGeometry() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        // A real 8-bit frame as PNG: the despeckled frame `debug roi` writes.
        let file = Fixtures.samples.appendingPathComponent("duke-subject07-8bit.dcm")
        let frames = work.appendingPathComponent("frames")
        #expect(try OctarcTool.run(["debug", "roi", file.path, "--out", frames.path]).status == 0)
        let out = work.appendingPathComponent("bands")
        let parameters = work.appendingPathComponent("preprocessing.json")
        let run = try OctarcTool.run([
            "export-bands", frames.path, "--out", out.path, "--parameters-out", parameters.path,
        ])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("wrote 3 bands to \(out.path)"), "\(run.output)")
        let lines = try String(contentsOf: out.appendingPathComponent("geometry.jsonl"), encoding: .utf8).split(
            separator: "\n")
        let entries = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        let despeckled = try #require(
            entries.first { ($0["input"] as? String) == "frames/duke-subject07-8bit-despeckled.png" })
        #expect(despeckled["band"] as? String == "frames/duke-subject07-8bit-despeckled.band.png")
        #expect(despeckled["retina_found"] as? Bool == true && despeckled["frame_width"] as? Int == 768)
        let pngs = try OctarcTool.contents(of: out, extension: "png").keys
        #expect(pngs.contains("frames/duke-subject07-8bit-despeckled.band.png"))
        #expect(pngs.contains("frames/duke-subject07-8bit-despeckled.mask.png"))
        #expect(try JSONSerialization.jsonObject(with: Data(contentsOf: parameters)) is [String: Any])

        let missing = try OctarcTool.run(["export-bands", work.appendingPathComponent("none").path, "--out", out.path])
        #expect(missing.status != 0)
        #expect(
            missing.output.contains("\(work.appendingPathComponent("none").path): no such file or folder"),
            "\(missing.output)")
    }
}
