import Foundation
import TestSupport
import Testing

/// The PACS commands as a user runs them against the Orthanc of Scripts/with-orthanc: echo (and its
/// messages), convert --from, restore --out --to, verify --from, and a rerun after the restore.
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["ORTHANC_DICOM"] != nil,
        "no Orthanc: run under Scripts/with-orthanc (ORTHANC_DICOM unset)"))
struct PACSCommandTests {
    static var node: String { ProcessInfo.processInfo.environment["ORTHANC_DICOM"] ?? "" }
}

extension PACSCommandTests {
    @Test func echoReportsSuccessAndTheRejectionReason() throws {
        let good = try OctarcTool.run(["echo", Self.node])
        #expect(good.status == 0 && good.output.contains("answered C-ECHO"), "\(good.output)")
        let wrong = "WRONG_AET@" + Self.node.split(separator: "@").last!
        let rejected = try OctarcTool.run(["echo", wrong])
        #expect(rejected.status == 1)
        #expect(
            rejected.output.contains("rejected") && rejected.output.contains("Called AE Title Not Recognized"),
            "\(rejected.output)")
        #expect(!rejected.output.contains("NSCocoaErrorDomain") && !rejected.output.contains("OFCondition"))
        let malformed = try OctarcTool.run(["echo", "ORTHANC-at-localhost"])
        #expect(malformed.status != 0 && malformed.output.contains("AET@HOST:PORT"), "\(malformed.output)")
    }

    @Test func roundTripThroughTheNode() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        // 2 frames of the Spectralis sample with new UIDs and its own patient, stored with DCMTK's storescu.
        let patient = "OCTARC-E2E-\(UUID().uuidString.prefix(8))"
        let original = try SampleVariants.write(
            ["--frames", "0,1"], to: work.appendingPathComponent("archive/duke-2-frames.dcm"))
        try Tools.run(
            try #require(Tools.find("dcmodify")),
            ["-nb", "-gst", "-gse", "-gin", "-m", "(0010,0020)=\(patient)", original.path])
        let address = Self.node.split(separator: "@").last!.split(separator: ":")
        let stored = try Tools.run(
            try #require(Tools.find("storescu")),
            ["-xt", "-aet", "OCTARC", "-aec", "ORTHANC", String(address[0]), String(address[1]), original.path])
        #expect(stored.status == 0, "\(stored.output)")

        let octz = work.appendingPathComponent("octz")
        let restored = work.appendingPathComponent("restored")
        // A fixture profile: what is tested is the transfer, not the codec.
        let profiles = OctarcTool.fixtureProfiles
        let convert = try OctarcTool.run(
            [
                "convert", "--from", Self.node, "--patient", patient, "--out", octz.path,
                "--profile", "fixture-a",
            ], profiles: profiles)
        #expect(convert.status == 0 && convert.output.contains("1 converted"), "\(convert.output)")
        let restore = try OctarcTool.run(
            ["restore", octz.path, "--out", restored.path, "--to", Self.node], profiles: profiles)
        #expect(restore.status == 0 && restore.output.contains("1 of 1 instances stored"), "\(restore.output)")
        #expect(try OctarcTool.contents(of: restored, extension: "dcm").count == 1)
        // Originals from the node, against the restored DICOM and against the containers.
        for target in [restored, octz] {
            let verify = try OctarcTool.run(["verify", "--from", Self.node, target.path], profiles: profiles)
            #expect(verify.status == 0, "\(verify.output)")
        }
        // The restored instance now sits in the original's series on the node; a rerun still finds
        // the series up to date (octarc's own derived instances are not taken for originals).
        let rerun = try OctarcTool.run(
            [
                "convert", "--from", Self.node, "--patient", patient, "--out", octz.path,
                "--profile", "fixture-a",
            ], profiles: profiles)
        #expect(rerun.status == 0 && rerun.output.contains("0 converted, 1 up to date"), "\(rerun.output)")
    }
}
