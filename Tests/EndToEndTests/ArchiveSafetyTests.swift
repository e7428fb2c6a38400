import Foundation
import Testing
import TestSupport

/// Issue 13, "Nothing lost, nothing silent": each numbered rule, on archives the tests make from the
/// Spectralis sample. Series are a few frames each, so a convert takes seconds.
@Suite(.serialized) struct ArchiveSafetyTests {}

// MARK: rule 1, a rerun never destroys compressed data

extension ArchiveSafetyTests {
    @Test func rerunAfterAnInstanceIsGoneKeepsTheContainer() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0", "--instance", "1"])
        let two = try a.instance("archive/two.dcm", ["--frames", "1", "--instance", "2"])
        let first = try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path])
        #expect(first.status == 0, "\(first.output)")
        let before = try a.containers("out")
        #expect(before.count == 1)

        try FileManager.default.removeItem(at: two)
        let again = try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path])
        #expect(again.status == 1, "a rerun that would drop an instance must fail: \(again.output)")
        #expect(again.output.contains("two.dcm"), "the missing instance is named: \(again.output)")
        #expect(again.output.contains("--replace"))
        #expect(try a.containers("out") == before, "the container holding two.dcm's frames was replaced")
        let entry = try #require(try a.series("out").values.first)
        #expect((entry["inputs"] as? [Any])?.count == 2, "the manifest still lists both instances")

        let replaced = try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path, "--replace"])
        #expect(replaced.status == 0, "\(replaced.output)")
        #expect((try a.series("out").values.first?["inputs"] as? [Any])?.count == 1)
    }

    @Test func rerunWithAnotherProfileKeepsTheContainer() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0"])
        #expect(try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path, "--profile", "cr40"]).status == 0)
        let before = try a.containers("out")
        let other = try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path, "--profile", "cr80"])
        #expect(other.status == 1, "\(other.output)")
        #expect(other.output.contains("profile cr40"), "\(other.output)")
        #expect(try a.containers("out") == before, "cr40 container replaced by cr80")
        let entry = try #require(try a.series("out").values.first)
        #expect((entry["profile"] as? [String: Any])?["name"] as? String == "cr40",
                "the manifest records the kept container's own profile")
    }

    @Test func seriesWhoseOriginalsAreAllGoneStaysInTheManifest() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0"])
        let gone = try a.instance("archive/other.dcm", ["--frames", "1", "--series-uid", "2.25.1313"])
        #expect(try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path]).status == 0)
        try FileManager.default.removeItem(at: gone)
        let again = try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path])
        #expect(again.status == 0, "\(again.output)")
        #expect(again.output.contains("kept"), "the kept series is reported: \(again.output)")
        #expect(Set(try a.series("out").keys).contains("2.25.1313"))
        #expect(try a.containers("out").count == 2)
    }
}

// MARK: rule 2, one bad frame never stops a batch, and nothing crashes

extension ArchiveSafetyTests {
    @Test func blankAndTinyFramesConvertRestoreAndShowInDebugROI() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/blank.dcm", ["--frames", "0,1", "--blank", "1"])
        for (index, size) in ["1x768", "496x1", "8x8", "2x2"].enumerated() {
            try a.instance("archive/tiny-\(size).dcm", ["--frames", "2", "--size", size, "--series-uid", "2.25.77\(index)"])
        }
        let convert = try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path])
        #expect(convert.status == 0, "\(convert.output)")
        #expect(try a.containers("out").count == 5)
        let restore = try a.octarc(["restore", a.url("out").path, "--out", a.url("restored").path])
        #expect(restore.status == 0, "\(restore.output)")
        #expect(restore.output.contains("5 instances restored"), "\(restore.output)")
        let roi = try a.octarc(["debug", "roi", a.url("archive/blank.dcm").path, "--frame", "2", "--out", a.url("roi").path])
        #expect(roi.status == 0, "\(roi.output)")
        let tiny = try a.octarc(["debug", "roi", a.url("archive/tiny-2x2.dcm").path, "--out", a.url("roi").path])
        #expect(tiny.status == 0, "\(tiny.output)")
    }
}

// MARK: rule 3, verify never says "fine" when something is wrong

extension ArchiveSafetyTests {
    @Test func verifyFailsOnMissingInstancesAndCorruptContainers() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0", "--instance", "1"])
        try a.instance("archive/nogroups.dcm", ["--frames", "1", "--instance", "2", "--no-per-frame-groups"])
        let other = try a.instance("archive/other.dcm", ["--frames", "2", "--series-uid", "2.25.1414"])
        #expect(try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path]).status == 0)
        // (d) an instance without a Per-frame Functional Groups Sequence restores, and pairs.
        let restore = try a.octarc(["restore", a.url("out").path, "--out", a.url("restored").path])
        #expect(restore.status == 0, "\(restore.output)")
        let whole = try a.octarc(["verify", a.url("archive").path, a.url("restored").path])
        #expect(whole.status == 0, "\(whole.output)")
        #expect(whole.output.contains("verify PASSED"))

        // (b) a whole series of the originals has no restored counterpart.
        let otherSeries = try #require(try FileManager.default.subpathsOfDirectory(atPath: a.url("restored").path)
            .first { $0.hasSuffix("2.25.1414") })
        try FileManager.default.removeItem(at: a.url("restored").appendingPathComponent(otherSeries))
        let missing = try a.octarc(["verify", a.url("archive").path, a.url("restored").path, "--report", a.url("report").path])
        #expect(missing.status == 1, "\(missing.output)")
        #expect(missing.output.contains("verify FAILED"))
        #expect(missing.output.contains(other.path))
        let report = try String(contentsOf: a.url("report/report.json"), encoding: .utf8)
        #expect(report.contains("\"missing\""))
        #expect(report.contains(other.path))
        #expect(!report.contains("\"nan\""), "numeric fields hold null, never \"nan\"")

        // (a), (c) a corrupt container: restore refuses it, and so does verify.
        let container = try #require(try a.containers("out").keys.first { $0.contains("2.25.1414") })
        let corrupt = a.url("corrupt/other.octz")
        try FileManager.default.createDirectory(at: corrupt.deletingLastPathComponent(), withIntermediateDirectories: true)
        var bytes = try Data(contentsOf: a.url("out").appendingPathComponent(container))
        for offset in stride(from: bytes.count / 2, to: bytes.count / 2 + 64, by: 1) { bytes[offset] ^= 0x5A }
        try bytes.write(to: corrupt)
        #expect(try a.octarc(["restore", corrupt.path, "--out", a.url("restored-corrupt").path]).status == 1)
        let verifyCorrupt = try a.octarc(["verify", other.path, corrupt.path])
        #expect(verifyCorrupt.status == 1, "\(verifyCorrupt.output)")
        #expect(!verifyCorrupt.output.contains("PASSED"))
        #expect(!verifyCorrupt.output.contains("every frame above"))
        #expect(verifyCorrupt.output.contains("no frame compared"), "\(verifyCorrupt.output)")
    }
}

// MARK: rule 4, no input is ever skipped silently (the hang on a named pipe; the scan itself is in DICOMTests)

extension ArchiveSafetyTests {
    @Test func inspectListsANamedPipeAndDoesNotHang() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0"])
        #expect(mkfifo(a.url("archive/pipe.dcm").path, 0o644) == 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: OctarcTool.binary)
        process.arguments = ["inspect", a.url("archive").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let hung = process.isRunning
        if hung {
            kill(process.processIdentifier, SIGKILL)
            // Unblock a reader stuck in open(2) on the pipe, so the process can die.
            let writer = open(a.url("archive/pipe.dcm").path, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
        }
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(!hung, "inspect hung on a named pipe")
        #expect(output.contains("pipe.dcm"), "\(output)")
        #expect(output.contains("named pipe"), "\(output)")
        #expect(output.contains("1 series"), "\(output)")
    }
}

// MARK: rule 5, outputs never feed back into inputs

extension ArchiveSafetyTests {
    @Test func outputInsideTheArchiveAndRestoredCopiesAreNotInputs() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0,1"])
        try Data("notes".utf8).write(to: a.url("archive/notes.txt"))
        let out = a.url("archive/out").path
        for _ in 0..<2 {
            let run = try a.octarc(["convert", a.url("archive").path, "--out", out, "--copy-other"])
            #expect(run.status == 0, "\(run.output)")
        }
        let skipped = try a.manifest("archive/out")["skipped"] as? [[String: Any]] ?? []
        #expect(skipped.map { $0["path"] as? String } == ["notes.txt"], "the output folder was scanned as input: \(skipped)")
        #expect(!FileManager.default.fileExists(atPath: a.url("archive/out/other/out").path))

        // A restored (lossy derived) copy placed beside its original is not merged into the series.
        #expect(try a.octarc(["restore", out, "--out", a.url("archive/restored").path]).status == 0)
        let again = try a.octarc(["convert", a.url("archive").path, "--out", a.url("out2").path])
        #expect(again.status == 0, "\(again.output)")
        let entry = try #require(try a.series("out2").values.first)
        #expect(entry["frames"] as? Int == 2, "restored frames were merged into the original series")
        let skipped2 = try a.manifest("out2")["skipped"] as? [[String: Any]] ?? []
        let reasons = skipped2.compactMap { $0["reason"] as? String }
        #expect(reasons.contains { $0.contains("restored") }, "\(reasons)")
        // Another convert's output folder inside the archive is not scanned either (one entry says so).
        let paths = skipped2.compactMap { $0["path"] as? String }
        #expect(!paths.contains { $0.hasPrefix("out/") }, "\(paths)")
        #expect(paths.contains("out"), "\(paths)")

        // With the original gone, its restored copy still does not stand in for it in the series'
        // container (which holds the original's frames).
        try FileManager.default.removeItem(at: a.url("archive/one.dcm"))
        let gone = try a.octarc(["convert", a.url("archive").path, "--out", out])
        #expect(gone.output.contains("restored (lossy derived) copy"), "\(gone.output)")
        let kept = try #require(try a.series("archive/out").values.first)
        #expect((kept["inputs"] as? [[String: Any]])?.map { $0["path"] as? String } == ["one.dcm"],
                "the container's entry was replaced by the restored copy")
    }
}

// MARK: rule 6, one output folder, one truth

extension ArchiveSafetyTests {
    @Test func twoArchivesIntoOneOutputKeepBothAndRestoreBoth() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("first/one.dcm", ["--frames", "0"])
        try a.instance("second/two.dcm", ["--frames", "1", "--series-uid", "2.25.1515"])
        #expect(try a.octarc(["convert", a.url("first").path, "--out", a.url("out").path]).status == 0)
        #expect(try a.octarc(["convert", a.url("second").path, "--out", a.url("out").path]).status == 0)
        #expect(try a.series("out").count == 2, "the manifest lists only the last archive")
        let restore = try a.octarc(["restore", a.url("out/manifest.json").path, "--out", a.url("restored").path])
        #expect(restore.output.contains("2 instances restored"), "\(restore.output)")
    }

    @Test func aConvertRefusesAnOutputFolderAnotherHolds() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0"])
        let out = a.url("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // Stand in for another convert: hold the folder's lock with this process's pid in it.
        let lock = open(out.appendingPathComponent(".octarc.lock").path, O_RDWR | O_CREAT, 0o644)
        #expect(lock >= 0)
        defer { close(lock) }
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        _ = "\(getpid())\n".withCString { write(lock, $0, strlen($0)) }
        // A killed run's hidden temporary file.
        let partial = out.appendingPathComponent(".x.octz.0000.partial")
        try Data("partial".utf8).write(to: partial)

        let refused = try a.octarc(["convert", a.url("archive").path, "--out", out.path])
        #expect(refused.status != 0, "\(refused.output)")
        #expect(refused.output.contains("pid \(getpid())"), "\(refused.output)")
        #expect(try a.containers("out").isEmpty)

        flock(lock, LOCK_UN)
        let run = try a.octarc(["convert", a.url("archive").path, "--out", out.path])
        #expect(run.status == 0, "\(run.output)")
        #expect(!FileManager.default.fileExists(atPath: partial.path), "a killed run's .partial file was not cleaned")
    }
}

// MARK: rule 7, machine-readable output is complete

extension ArchiveSafetyTests {
    @Test func convertJSONListsFailedSeriesAndAnEmptyRunWritesItsManifest() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0", "--instance", "1"])
        let two = try a.instance("archive/two.dcm", ["--frames", "1", "--instance", "2"])
        #expect(try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path]).status == 0)
        try FileManager.default.removeItem(at: two)
        let failing = try a.octarc(["convert", a.url("archive").path, "--out", a.url("out").path, "--json"])
        #expect(failing.status == 1)
        let json = try #require(failing.output.firstIndex(of: "{").map { String(failing.output[$0...]) })
        let start = json.startIndex, end = try #require(json.lastIndex(of: "}"))
        let object = try JSONSerialization.jsonObject(with: Data(json[start...end].utf8)) as? [String: Any]
        let failed = object?["failed"] as? [[String: Any]] ?? []
        #expect(failed.count == 1, "convert --json omits the failed series: \(failing.output)")
        #expect((failed.first?["reason"] as? String)?.contains("two.dcm") == true)

        try FileManager.default.createDirectory(at: a.url("empty"), withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: a.url("empty/notes.txt"))
        let empty = try a.octarc(["convert", a.url("empty").path, "--out", a.url("out-empty").path])
        #expect(empty.status == 0, "\(empty.output)")
        let skipped = try a.manifest("out-empty")["skipped"] as? [[String: Any]] ?? []
        #expect(skipped.map { $0["path"] as? String } == ["notes.txt"])
    }
}

// MARK: rule 8, errors a person can act on

extension ArchiveSafetyTests {
    @Test func commandLineErrorsNameWhatIsWrong() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0"])
        let archive = a.url("archive").path

        let nowhere = a.url("no/such/archive").path
        let missing = try a.octarc(["convert", nowhere, "--out", a.url("out-missing").path])
        #expect(missing.status != 0)
        #expect(missing.output.contains(nowhere), "\(missing.output)")
        #expect(!FileManager.default.fileExists(atPath: a.url("out-missing").path), "an empty --out was created")

        let unknown = try a.octarc(["convert", archive, "--out", a.url("out").path, "--profile", "cr99"])
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("cr40") && unknown.output.contains("cr80"), "\(unknown.output)")

        for jobs in ["0", "-2"] {
            let result = try a.octarc(["convert", archive, "--out", a.url("out").path, "--jobs=\(jobs)"])
            #expect(result.status != 0)
            #expect(result.output.contains("--jobs must be at least 1"), "\(result.output)")
        }

        let profiles = try a.octarc(["convert", archive, "--out", a.url("out").path, "--profiles", a.url("nope").path])
        #expect(profiles.status != 0)
        #expect(profiles.output.contains(a.url("nope").path), "\(profiles.output)")

        // --out names a file: said in words, with the path.
        try Data().write(to: a.url("file"))
        let onFile = try a.octarc(["convert", archive, "--out", a.url("file").path])
        #expect(onFile.status != 0)
        #expect(onFile.output.contains(a.url("file").path), "\(onFile.output)")
        #expect(!onFile.output.contains("NSCocoaErrorDomain") && !onFile.output.contains("Code="), "\(onFile.output)")

        // The same for restore, verify's report and debug roi.
        #expect(try a.octarc(["convert", archive, "--out", a.url("out").path]).status == 0)
        let file = a.url("file").path
        for arguments in [["restore", a.url("out").path, "--out", file],
                          ["verify", archive, a.url("out").path, "--report", file],
                          ["debug", "roi", a.url("archive/one.dcm").path, "--out", file + "/sub"]] {
            let result = try a.octarc(arguments)
            #expect(result.status != 0, "\(arguments[0]): \(result.output)")
            #expect(result.output.contains(file), "\(arguments[0]): \(result.output)")
            #expect(!result.output.contains("NSCocoaErrorDomain") && !result.output.contains("Code="),
                    "\(arguments[0]): \(result.output)")
        }
    }
}
