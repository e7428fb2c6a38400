import Foundation
import Testing
import TestSupport

/// Batch behaviour of convert: determinism across --jobs, resuming after a kill, bad inputs.
@Suite(.serialized) struct ConvertBatchTests {}

extension ConvertBatchTests {
    @Test func outputBytesDoNotDependOnJobs() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = try OctarcTool.archive(["bioptigen-subj13-12bit.dcm"], in: work)
        var outputs: [[String: Data]] = []
        for jobs in [1, 2] {
            let out = work.appendingPathComponent("jobs\(jobs)")
            let result = try OctarcTool.run(["convert", archive.path, "--out", out.path, "--profile", "cr40", "--jobs", "\(jobs)"])
            #expect(result.status == 0, "\(result.output)")
            outputs.append(try OctarcTool.contents(of: out, extension: "octz"))
        }
        #expect(outputs[0].count == 1)
        #expect(outputs[0] == outputs[1])
    }

    @Test func aKilledConvertResumesToTheSameOutputAsACleanRun() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let clean = work.appendingPathComponent("clean"), resumed = work.appendingPathComponent("resumed")
        #expect(try OctarcTool.run(["convert", Fixtures.samples.path, "--out", clean.path, "--profile", "cr40"]).status == 0)

        // Kill the run once its first series is complete (the manifest lists it), mid-way through the second.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: OctarcTool.binary)
        process.arguments = ["convert", Fixtures.samples.path, "--out", resumed.path, "--profile", "cr40", "--jobs", "1"]
        process.environment = ProcessInfo.processInfo.environment.merging(["OCTARC_PROFILES": Fixtures.profiles.path]) { $1 }
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

        let again = try OctarcTool.run(["convert", Fixtures.samples.path, "--out", resumed.path, "--profile", "cr40"])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("1 up to date"))
        #expect(try OctarcTool.contents(of: resumed, extension: "octz") == OctarcTool.contents(of: clean, extension: "octz"))
    }

    @Test func badInputsAreSkippedWithReasonsWhileGoodSeriesConvert() throws {
        let work = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = try OctarcTool.archive(["bioptigen-subj13-12bit.dcm"], in: work)
        let fixtures = Fixtures.testData.appendingPathComponent("dicom")
        for name in ["ct-image.dcm", "short-pixel-data.dcm", "zero-frames.dcm"] {
            try FileManager.default.copyItem(at: fixtures.appendingPathComponent(name), to: archive.appendingPathComponent(name))
        }
        let duke = try Data(contentsOf: Fixtures.samples.appendingPathComponent("duke-subject07-8bit.dcm"))
        try duke.prefix(duke.count / 2).write(to: archive.appendingPathComponent("truncated.dcm"))
        try Data("not an image".utf8).write(to: archive.appendingPathComponent("notes.txt"))

        let out = work.appendingPathComponent("out")
        let result = try OctarcTool.run(["convert", archive.path, "--out", out.path, "--profile", "cr40", "--copy-other"])
        #expect(result.status == 1, "bad inputs must give a non-zero exit: \(result.output)")
        #expect(try OctarcTool.contents(of: out, extension: "octz").count == 1)
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: out.appendingPathComponent("manifest.json"))) as! [String: Any]
        let skipped = Dictionary(uniqueKeysWithValues: (manifest["skipped"] as! [[String: Any]]).map { ($0["path"] as! String, $0) })
        #expect(Set(skipped.keys) == ["ct-image.dcm", "short-pixel-data.dcm", "zero-frames.dcm", "truncated.dcm", "notes.txt"])
        #expect(skipped["notes.txt"]?["failed"] as? Bool == false)
        #expect(skipped["ct-image.dcm"]?["failed"] as? Bool == false)
        for bad in ["short-pixel-data.dcm", "zero-frames.dcm", "truncated.dcm"] {
            #expect(skipped[bad]?["failed"] as? Bool == true)
            let reason = skipped[bad]?["reason"] as? String
            #expect(reason?.isEmpty == false)
        }
        // --copy-other keeps every skipped input, unchanged.
        #expect(try Data(contentsOf: out.appendingPathComponent("other/notes.txt")) == Data("not an image".utf8))
    }
}
