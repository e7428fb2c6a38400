import Archive
import Foundation
import TestSupport
import Testing

/// Issue 13, "Nothing lost, nothing silent", in process: each numbered rule of convert on archives made
/// from the Spectralis sample, with the fixture profiles (`Pipeline`). The command line's own part
/// (exit statuses, what it prints) is in EndToEndTests.
@Suite struct ConvertRulesTests {}

// MARK: rule 1, a rerun never destroys compressed data

extension ConvertRulesTests {
    /// One setup for three checks: the rerun that would drop an instance fails naming it and keeps the
    /// container; the manifest (and so `convert --json`) lists the failed series; `--replace` replaces.
    @Test func rerunAfterAnInstanceIsGoneKeepsTheContainerAndListsTheFailure() throws {
        let p = try Pipeline()
        defer { p.remove() }
        try p.instance("archive/one.dcm", ["--frames", "0", "--instance", "1"])
        let two = try p.instance("archive/two.dcm", ["--frames", "1", "--instance", "2"])
        let first = try p.convert("archive", "out")
        #expect(first.failures.isEmpty && !first.hadErrors, "\(first.failures)")
        let before = try p.containers("out")
        #expect(before.count == 1)

        try FileManager.default.removeItem(at: two)
        let again = try p.convert("archive", "out")
        #expect(again.hadErrors, "a rerun that would drop an instance must fail")
        #expect(again.failures.count == 1, "\(again.failures)")
        let failure = again.failures.joined()
        #expect(failure.contains("two.dcm"), "the missing instance is named: \(failure)")
        #expect(failure.contains("--replace"))
        #expect(try p.containers("out") == before, "the container holding two.dcm's frames was replaced")
        let entry = try #require(try p.series("out").values.first)
        #expect((entry["inputs"] as? [Any])?.count == 2, "the manifest still lists both instances")
        // manifest.json (and `convert --json`, which prints the same document) lists the failed series.
        let failed = try p.manifest("out")["failed"] as? [[String: Any]] ?? []
        #expect(failed.count == 1, "manifest.json omits the failed series")
        #expect((failed.first?["reason"] as? String)?.contains("two.dcm") == true)
        let printed = try #require(try JSONSerialization.jsonObject(with: again.manifest.json()) as? [String: Any])
        #expect((printed["failed"] as? [Any])?.count == 1)

        let replaced = try p.convert("archive", "out", replace: true)
        #expect(replaced.failures.isEmpty, "\(replaced.failures)")
        #expect((try p.series("out").values.first?["inputs"] as? [Any])?.count == 1)
    }

    @Test func rerunWithAnotherProfileKeepsTheContainer() throws {
        let p = try Pipeline()
        defer { p.remove() }
        try p.instance("archive/one.dcm", ["--frames", "0"])
        #expect(try p.convert("archive", "out", profile: "fixture-a").failures.isEmpty)
        let before = try p.containers("out")
        let other = try p.convert("archive", "out", profile: "fixture-b")
        #expect(other.hadErrors)
        #expect(other.failures.joined().contains("profile fixture-a"), "\(other.failures)")
        #expect(try p.containers("out") == before, "fixture-a's container replaced by fixture-b's")
        let entry = try #require(try p.series("out").values.first)
        #expect(
            (entry["profile"] as? [String: Any])?["name"] as? String == "fixture-a",
            "the manifest records the kept container's own profile")
    }

    @Test func seriesWhoseOriginalsAreAllGoneStaysInTheManifest() throws {
        let p = try Pipeline()
        defer { p.remove() }
        try p.instance("archive/one.dcm", ["--frames", "0"])
        let gone = try p.instance("archive/other.dcm", ["--frames", "1", "--series-uid", "2.25.1313"])
        #expect(try p.convert("archive", "out").failures.isEmpty)
        try FileManager.default.removeItem(at: gone)
        let again = try p.convert("archive", "out")
        #expect(!again.hadErrors, "\(again.failures)")
        #expect(
            again.kept.count == 1 && again.kept[0].contains("2.25.1313"), "the kept series is reported: \(again.kept)")
        #expect(Set(try p.series("out").keys).contains("2.25.1313"))
        #expect(try p.containers("out").count == 2)
    }
}

// MARK: rule 2, one bad frame never stops a batch, and nothing crashes

extension ConvertRulesTests {
    @Test func blankAndTinyFramesConvertAndRestore() throws {
        let p = try Pipeline()
        defer { p.remove() }
        try p.instance("archive/blank.dcm", ["--frames", "0,1", "--blank", "1"])
        for (index, size) in ["1x768", "496x1", "8x8", "2x2"].enumerated() {
            try p.instance(
                "archive/tiny-\(size).dcm", ["--frames", "2", "--size", size, "--series-uid", "2.25.77\(index)"])
        }
        let convert = try p.convert("archive", "out")
        #expect(!convert.hadErrors, "\(convert.failures)")
        #expect(try p.containers("out").count == 5)
        let restore = try p.restore("out", "restored")
        #expect(restore.failures.isEmpty, "\(restore.failures)")
        #expect(restore.restored.count == 5)
        #expect(try p.files("restored", extension: "dcm").count == 5)
    }
}

// MARK: rule 5, outputs never feed back into inputs

extension ConvertRulesTests {
    @Test func outputInsideTheArchiveAndRestoredCopiesAreNotInputs() throws {
        let p = try Pipeline()
        defer { p.remove() }
        try p.instance("archive/one.dcm", ["--frames", "0,1"])
        try Data("notes".utf8).write(to: p.url("archive/notes.txt"))
        for _ in 0..<2 {
            let run = try p.convert("archive", "archive/out", copyOther: true)
            #expect(!run.hadErrors, "\(run.failures)")
        }
        let skipped = try p.manifest("archive/out")["skipped"] as? [[String: Any]] ?? []
        #expect(
            skipped.map { $0["path"] as? String } == ["notes.txt"], "the output folder was scanned as input: \(skipped)"
        )
        #expect(!FileManager.default.fileExists(atPath: p.url("archive/out/other/out").path))

        // A restored (lossy derived) copy placed beside its original is not merged into the series.
        #expect(try p.restore("archive/out", "archive/restored").failures.isEmpty)
        let again = try p.convert("archive", "out2")
        #expect(!again.hadErrors, "\(again.failures)")
        let entry = try #require(try p.series("out2").values.first)
        #expect(entry["frames"] as? Int == 2, "restored frames were merged into the original series")
        let skipped2 = try p.manifest("out2")["skipped"] as? [[String: Any]] ?? []
        let reasons = skipped2.compactMap { $0["reason"] as? String }
        #expect(reasons.contains { $0.contains("restored") }, "\(reasons)")
        // Another convert's output folder inside the archive is not scanned either (one entry says so).
        let paths = skipped2.compactMap { $0["path"] as? String }
        #expect(!paths.contains { $0.hasPrefix("out/") }, "\(paths)")
        #expect(paths.contains("out"), "\(paths)")

        // With the original gone, its restored copy still does not stand in for it in the series'
        // container (which holds the original's frames).
        try FileManager.default.removeItem(at: p.url("archive/one.dcm"))
        let gone = try p.convert("archive", "archive/out")
        let goneReasons = gone.manifest.skipped.map(\.reason)
        #expect(goneReasons.contains { $0.contains("restored (lossy derived) copy") }, "\(goneReasons)")
        let kept = try #require(try p.series("archive/out").values.first)
        #expect(
            (kept["inputs"] as? [[String: Any]])?.map { $0["path"] as? String } == ["one.dcm"],
            "the container's entry was replaced by the restored copy")
    }
}

// MARK: rule 6, one output folder, one truth

extension ConvertRulesTests {
    @Test func twoArchivesIntoOneOutputKeepBothAndRestoreBoth() throws {
        let p = try Pipeline()
        defer { p.remove() }
        try p.instance("first/one.dcm", ["--frames", "0"])
        try p.instance("second/two.dcm", ["--frames", "1", "--series-uid", "2.25.1515"])
        #expect(try p.convert("first", "out").failures.isEmpty)
        #expect(try p.convert("second", "out").failures.isEmpty)
        #expect(try p.series("out").count == 2, "the manifest lists only the last archive")
        let restore = try p.restore("out/manifest.json", "restored")
        #expect(restore.restored.count == 2, "\(restore.failures)")
    }

    @Test func aConvertRefusesAnOutputFolderAnotherHoldsAndCleansAKilledRunsFiles() throws {
        let p = try Pipeline()
        defer { p.remove() }
        try p.instance("archive/one.dcm", ["--frames", "0"])
        let out = p.url("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        // Stand in for another convert: hold the folder's lock (its own open file) with a pid in it.
        let lock = open(out.appendingPathComponent(".octarc.lock").path, O_RDWR | O_CREAT, 0o644)
        #expect(lock >= 0)
        defer { close(lock) }
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        _ = "\(getpid())\n".withCString { write(lock, $0, strlen($0)) }
        // A killed run's hidden temporary file.
        let partial = out.appendingPathComponent(".x.octz.0000.partial")
        try Data("partial".utf8).write(to: partial)

        #expect {
            try p.convert("archive", "out")
        } throws: { error in
            "\(error)".contains("pid \(getpid())")
        }
        #expect(try p.containers("out").isEmpty)
        #expect(FileManager.default.fileExists(atPath: partial.path), "a refused run touched the folder")

        flock(lock, LOCK_UN)
        let run = try p.convert("archive", "out")
        #expect(!run.hadErrors, "\(run.failures)")
        #expect(!FileManager.default.fileExists(atPath: partial.path), "a killed run's .partial file was not cleaned")
    }
}

// MARK: rule 7, machine-readable output is complete

extension ConvertRulesTests {
    @Test func anEmptyRunWritesItsManifest() throws {
        let p = try Pipeline()
        defer { p.remove() }
        try FileManager.default.createDirectory(at: p.url("empty"), withIntermediateDirectories: true)
        try Data("notes".utf8).write(to: p.url("empty/notes.txt"))
        let empty = try p.convert("empty", "out-empty")
        #expect(!empty.hadErrors, "\(empty.failures)")
        let skipped = try p.manifest("out-empty")["skipped"] as? [[String: Any]] ?? []
        #expect(skipped.map { $0["path"] as? String } == ["notes.txt"])
        #expect((try p.manifest("out-empty")["series"] as? [Any])?.isEmpty == true)
    }
}
