import Foundation
import Testing
import TestSupport

/// restore's options and refusals.
@Suite(.serialized) struct RestoreTests {}

extension RestoreTests {
    @Test func aFrameRangeRestoresOnlyThoseFramesIdenticalToAFullRestore() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = try OctarcTool.archive(["bioptigen-subj13-12bit.dcm"], in: work)
        let octz = work.appendingPathComponent("octz")
        #expect(try OctarcTool.run(["convert", archive.path, "--out", octz.path, "--profile", "cr40"]).status == 0)
        let full = work.appendingPathComponent("full"), part = work.appendingPathComponent("part")
        #expect(try OctarcTool.run(["restore", octz.path, "--out", full.path]).status == 0)
        let partial = try OctarcTool.run(["restore", octz.path, "--out", part.path, "--frames", "2-3"])
        #expect(partial.status == 0, "\(partial.output)")
        let fullFile = try #require(OctarcTool.contents(of: full, extension: "dcm").keys.first)
        let partFile = try #require(OctarcTool.contents(of: part, extension: "dcm").keys.first)
        // Compare pixels with DCMTK's own dcm2pnm, frame by frame.
        let dcm2pnm = try #require(Tools.find("dcm2pnm"))
        for (fullFrame, partFrame) in [(2, 1), (3, 2)] {
            let a = work.appendingPathComponent("a\(fullFrame).pgm"), b = work.appendingPathComponent("b\(partFrame).pgm")
            try Tools.run(dcm2pnm, ["--frame", "\(fullFrame)", "--write-raw-pnm", "--no-windowing", full.appendingPathComponent(fullFile).path, a.path])
            try Tools.run(dcm2pnm, ["--frame", "\(partFrame)", "--write-raw-pnm", "--no-windowing", part.appendingPathComponent(partFile).path, b.path])
            #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        }
        let dump = try Tools.run(try #require(Tools.find("dcmdump")), [part.appendingPathComponent(partFile).path]).output
        #expect(dump.contains("(0028,0008) IS [2]"))
        #expect(dump.contains("(0008,1160) IS [2]") && dump.contains("(0008,1160) IS [3]"))
    }

    @Test func aContainerWhoseProfileWeightsDifferIsRefused() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = try OctarcTool.archive(["bioptigen-subj13-12bit.dcm"], in: work)
        let octz = work.appendingPathComponent("octz")
        #expect(try OctarcTool.run(["convert", archive.path, "--out", octz.path, "--profile", "cr40"]).status == 0)

        // The same profile name with other weights (one value changed, checksum updated to match).
        let profiles = work.appendingPathComponent("profiles")
        try FileManager.default.createDirectory(at: profiles, withIntermediateDirectories: true)
        let changed = profiles.appendingPathComponent("cr40")
        try FileManager.default.copyItem(at: Fixtures.profiles.appendingPathComponent("cr40"), to: changed)
        var weights = try Data(contentsOf: changed.appendingPathComponent("weights.safetensors"))
        weights[weights.count - 1] ^= 0x01
        try weights.write(to: changed.appendingPathComponent("weights.safetensors"))
        let sha = try Tools.run(try #require(Tools.find("sha256sum")), [changed.appendingPathComponent("weights.safetensors").path])
            .output.prefix(64)
        var profile = try String(contentsOf: changed.appendingPathComponent("profile.json"), encoding: .utf8)
        let old = try #require(profile.range(of: #""sha256": "[0-9a-f]{64}""#, options: .regularExpression))
        profile.replaceSubrange(old, with: "\"sha256\": \"\(sha)\"")
        try profile.write(to: changed.appendingPathComponent("profile.json"), atomically: true, encoding: .utf8)

        let result = try OctarcTool.run(["restore", octz.path, "--out", work.appendingPathComponent("r").path,
                                         "--profiles", profiles.path])
        #expect(result.status != 0)
        #expect(result.output.contains("refusing to decode with other weights"), "\(result.output)")
    }
}
