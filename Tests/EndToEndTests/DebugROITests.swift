import Foundation
import TestSupport
import Testing

/// `octarc debug roi` on DICOM input, as used to compare the segmentation of an original and a restored frame.
@Suite struct DebugROITests {
    @Test func aDICOMFrameGivesItsOverlayBandAndBoundaries() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = Fixtures.samples.appendingPathComponent("duke-subject07-8bit.dcm")
        let run = try OctarcTool.run(["debug", "roi", file.path, "--frame", "3", "--out", work.path, "--json"])
        #expect(run.status == 0, "\(run.output)")
        #expect(
            Set(try OctarcTool.contents(of: work, extension: "png").keys) == [
                "duke-subject07-8bit-frame3-overlay.png", "duke-subject07-8bit-frame3-despeckled.png",
                "duke-subject07-8bit-frame3-band.png",
            ])
        let json = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let boundaries = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let ilm = boundaries["ilm"] as! [Int]
        let bm = boundaries["bm"] as! [Int]
        #expect(boundaries["retina_found"] as? Bool == true)
        #expect(ilm.count == 768 && bm.count == 768)
        #expect(zip(ilm, bm).allSatisfy { $0 < $1 })
    }

    @Test func aFrameBeyondTheInstanceIsAnErrorNamingTheFile() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = Fixtures.samples.appendingPathComponent("duke-subject07-8bit.dcm")
        let run = try OctarcTool.run(["debug", "roi", file.path, "--frame", "17", "--out", work.path])
        #expect(run.status != 0)
        #expect(
            run.output.contains("frame 17 is not in 1...16 (frames are numbered from 1) in \(file.path)"),
            "\(run.output)")
    }

    /// Issue 13 rule 10: --frame is 1-based like restore's --frames and every report.
    @Test func frameNumbersCountFromOne() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let file = Fixtures.samples.appendingPathComponent("duke-subject07-8bit.dcm")
        #expect(try OctarcTool.run(["debug", "roi", file.path, "--frame", "16", "--out", work.path]).status == 0)
        let zero = try OctarcTool.run(["debug", "roi", file.path, "--frame", "0", "--out", work.path])
        #expect(zero.status != 0)
        #expect(zero.output.contains("counts from 1"), "\(zero.output)")
    }

    /// Issue 13 rule 2: a blank frame (all padding) and a 2x2 instance give their pictures, no crash.
    @Test func blankAndTinyFramesShowInDebugROI() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/blank.dcm", ["--frames", "0,1", "--blank", "1"])
        try a.instance("archive/tiny-2x2.dcm", ["--frames", "2", "--size", "2x2", "--series-uid", "2.25.773"])
        let roi = try a.octarc([
            "debug", "roi", a.url("archive/blank.dcm").path, "--frame", "2", "--out", a.url("roi").path,
        ])
        #expect(roi.status == 0, "\(roi.output)")
        let tiny = try a.octarc(["debug", "roi", a.url("archive/tiny-2x2.dcm").path, "--out", a.url("roi").path])
        #expect(tiny.status == 0, "\(tiny.output)")
        #expect(
            try OctarcTool.contents(of: a.url("roi"), extension: "png").count == 6, "overlay, despeckled, band for each"
        )
    }
}
