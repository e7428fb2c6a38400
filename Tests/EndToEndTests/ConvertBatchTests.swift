import Foundation
import TestSupport
import Testing

/// convert killed mid-run (SIGKILL, as only a process can be) resumes to the bytes of a clean run. With
/// a fixture profile: the codec does not matter here. Determinism across --jobs and bad inputs are in
/// process: ArchiveTests' `PipelineRoundTripTests`.
@Suite(.serialized) struct ConvertBatchTests {}

extension ConvertBatchTests {
    @Test func aKilledConvertResumesToTheSameOutputAsACleanRun() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let clean = work.appendingPathComponent("clean")
        let resumed = work.appendingPathComponent("resumed")
        let profiles = OctarcTool.fixtureProfiles
        // Two series: the Bioptigen sample (5 frames) and 3 frames of the Spectralis one.
        let archive = try OctarcTool.archive(["bioptigen-subj13-12bit.dcm"], in: work)
        try SampleVariants.write(["--frames", "0,1,2"], to: archive.appendingPathComponent("duke-3-frames.dcm"))
        #expect(
            try OctarcTool.run(
                ["convert", archive.path, "--out", clean.path, "--profile", "fixture-a"],
                profiles: profiles
            ).status == 0)

        // Kill the run once its first series is complete (the manifest lists it), mid-way through the second.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: OctarcTool.binary)
        process.arguments = ["convert", archive.path, "--out", resumed.path, "--profile", "fixture-a", "--jobs", "1"]
        process.environment = ProcessInfo.processInfo.environment.merging(["OCTARC_PROFILES": profiles.path]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let manifest = resumed.appendingPathComponent("manifest.json")
        let deadline = Date().addingTimeInterval(300)
        while process.isRunning, Date() < deadline, !FileManager.default.fileExists(atPath: manifest.path) {
            Thread.sleep(forTimeInterval: 0.02)
        }
        let killedMidRun = process.isRunning
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(killedMidRun, "convert finished before it could be killed")
        // Nothing partial is visible: only complete containers, no temporary files outside hidden names.
        for name in try OctarcTool.contents(of: resumed, extension: "octz").keys {
            #expect(!name.contains(".partial"))
        }

        let again = try OctarcTool.run(
            ["convert", archive.path, "--out", resumed.path, "--profile", "fixture-a"],
            profiles: profiles)
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("1 converted, 1 up to date"), "\(again.output)")
        #expect(
            try OctarcTool.contents(of: resumed, extension: "octz") == OctarcTool.contents(of: clean, extension: "octz")
        )
    }
}
