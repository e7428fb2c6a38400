import Foundation
import TestSupport
import Testing

/// Issue 13 rule 9: installed like a real tool. `Scripts/install PREFIX` puts the binary in
/// PREFIX/bin and the profiles in PREFIX/share/octarc/Profiles; the binary, found on PATH and run
/// from another working directory with no OCTARC_PROFILES, finds its profiles and converts.
@Suite struct InstalledToolTests {
    @Test func theInstalledBinaryConvertsFromAnotherWorkingDirectory() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0"])
        let prefix = a.url("prefix")
        let install = try Tools.run(
            Fixtures.repositoryRoot.appendingPathComponent("Scripts/install").path,
            [prefix.path, "--binary", OctarcTool.binary])
        try #require(install.status == 0, "\(install.output)")
        #expect(
            FileManager.default.fileExists(
                atPath: prefix.appendingPathComponent("share/octarc/Profiles/cr40/profile.json").path))

        let elsewhere = a.url("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        func onPath(_ command: String) throws -> (status: Int32, output: String) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.currentDirectoryURL = elsewhere
            var environment = ProcessInfo.processInfo.environment
            environment.removeValue(forKey: "OCTARC_PROFILES")
            environment["PATH"] =
                prefix.appendingPathComponent("bin").path + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            process.environment = environment
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        let profiles = try onPath("octarc profiles")
        #expect(profiles.status == 0, "\(profiles.output)")
        #expect(profiles.output.contains("cr40"))
        let convert = try onPath("octarc convert ../archive --out out")
        #expect(convert.status == 0, "\(convert.output)")
        #expect(try OctarcTool.contents(of: elsewhere.appendingPathComponent("out"), extension: "octz").count == 1)
    }
}
