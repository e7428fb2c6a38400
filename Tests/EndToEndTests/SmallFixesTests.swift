import Foundation
import Testing
import TestSupport

/// Issue 13 rule 10, the small ones: help text, FAILED lines, frame sizes, per-profile floors.
@Suite struct SmallFixesTests {}

extension SmallFixesTests {
    /// Each option's help names its default once (ArgumentParser appends "(default: ...)").
    @Test(arguments: [["convert"], ["restore"], ["verify"], ["inspect"], ["profiles"], ["debug", "roi"], ["export-bands"]])
    func helpTextDoesNotRepeatTheDefault(_ command: [String]) throws {
        let help = try OctarcTool.run(command + ["--help"]).output
        var entries: [String] = []
        for line in help.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("  -") || line.hasPrefix("  <") { entries.append(String(line)) }
            else if line.hasPrefix("    "), !entries.isEmpty { entries[entries.count - 1] += " " + line }
        }
        #expect(!entries.isEmpty, "\(help)")
        for entry in entries {
            let count = entry.components(separatedBy: "default").count - 1
            #expect(count <= 1, "\(command.joined(separator: " ")): \(entry)")
        }
    }

    /// A restore failure is printed once, not once as progress and again in the summary.
    @Test func restoreFailuresArePrintedOnce() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0"])
        #expect(try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path]).status == 0)
        let container = try #require(try a.containers("out").keys.first)
        var bytes = try Data(contentsOf: a.url("out").appendingPathComponent(container))
        // Damage the last frame record's bytes (before the index and trailer).
        for offset in (bytes.count - 400)..<(bytes.count - 300) { bytes[offset] ^= 0xFF }
        try bytes.write(to: a.url("bad.octz"))
        let restore = try a.octarc(["restore", a.url("bad.octz").path, "--out", a.url("restored").path])
        #expect(restore.status == 1)
        let failed = restore.output.components(separatedBy: "FAILED").count - 1
        #expect(failed == 1, "\(restore.output)")
    }

    /// The same for a series that fails in convert (here: a rerun that would drop an instance).
    @Test func convertFailuresArePrintedOnce() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0", "--instance", "1"])
        let two = try a.instance("archive/two.dcm", ["--frames", "1", "--instance", "2"])
        #expect(try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path]).status == 0)
        try FileManager.default.removeItem(at: two)
        let again = try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path])
        #expect(again.status == 1)
        #expect(again.output.components(separatedBy: "FAILED").count - 1 == 1, "\(again.output)")
    }
}

extension SmallFixesTests {
    /// verify over containers of two profiles names each frame's profile and judges it by that floor.
    @Test func verifyOverTwoProfilesNamesEachFramesProfile() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0"])
        try a.instance("archive/two.dcm", ["--frames", "1", "--series-uid", "2.25.1616"])
        #expect(try a.octarc(["convert", a.url("archive/one.dcm").path, "--out", a.url("mixed").path, "--profile", "cr40"]).status == 0)
        #expect(try a.octarc(["convert", a.url("archive/two.dcm").path, "--out", a.url("cr80").path, "--profile", "cr80"]).status == 0)
        for (name, _) in try a.containers("cr80") {
            let destination = a.url("mixed").appendingPathComponent(name)
            try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: a.url("cr80").appendingPathComponent(name), to: destination)
        }
        let verify = try a.octarc(["verify", a.url("archive").path, a.url("mixed").path, "--json"])
        let json = try #require(verify.output.firstIndex(of: "{").map { String(verify.output[$0...]) })
        let end = try #require(json.lastIndex(of: "}"))
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json[...end].utf8)) as? [String: Any])
        let frames = report["frames"] as? [[String: Any]] ?? []
        #expect(Set(frames.compactMap { $0["profile"] as? String }) == ["cr40", "cr80"], "\(verify.output)")
        #expect((report["summary"] as? [String: Any])?["profile"] as? String == "cr40, cr80")
    }
}

extension SmallFixesTests {
    /// `octarc inspect` draws the archive's report as a table: a line per series and per skipped
    /// file, then the counts.
    @Test func inspectPrintsALinePerSeriesAndSkippedFile() throws {
        let run = try OctarcTool.run(["inspect", Fixtures.testData.appendingPathComponent("dicom").path])
        #expect(run.status == 0, "\(run.output)")
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("PATIENT") }, "\(run.output)")
        let fixture = lines.first { $0.hasPrefix("FIXTURE-1 ") }
        #expect(fixture?.contains("OPT") == true && fixture?.contains("24x32") == true)
        #expect(fixture?.contains("Explicit VR LE") == true)
        #expect(lines.filter { $0.hasPrefix("skipped ") }.count == 3)
        #expect(lines.last == "2 series, 4 instances, 6 frames; 3 files skipped")
    }
}
