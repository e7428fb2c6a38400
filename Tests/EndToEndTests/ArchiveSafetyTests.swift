import Foundation
import TestSupport
import Testing

/// Issue 13, "Nothing lost, nothing silent": the rules that belong to the command line, on archives the
/// tests make from the Spectralis sample. The rules of convert, restore and verify themselves (reruns,
/// blank and tiny frames, verify's verdicts, outputs inside the archive, one output folder, complete
/// manifests) are tested in process: ArchiveTests' `ConvertRulesTests` and `PipelineRoundTripTests`.
@Suite(.serialized) struct ArchiveSafetyTests {}

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

        // The same for restore, verify's report and debug roi (the codec does not matter: a fixture profile).
        #expect(try a.octarcWithFixtures(["convert", archive, "--out", a.url("out").path]).status == 0)
        let file = a.url("file").path
        for arguments in [
            ["restore", a.url("out").path, "--out", file],
            ["verify", archive, a.url("out").path, "--report", file],
            ["debug", "roi", a.url("archive/one.dcm").path, "--out", file + "/sub"],
        ] {
            let result = try a.octarcWithFixtures(arguments)
            #expect(result.status != 0, "\(arguments[0]): \(result.output)")
            #expect(result.output.contains(file), "\(arguments[0]): \(result.output)")
            #expect(
                !result.output.contains("NSCocoaErrorDomain") && !result.output.contains("Code="),
                "\(arguments[0]): \(result.output)")
        }
    }
}
