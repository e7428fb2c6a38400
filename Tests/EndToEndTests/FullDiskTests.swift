import Foundation
import TestSupport
import Testing

/// Issue 13 rule 8 on real file systems: a full disk and a read-only one, as small tmpfs mounts
/// (root only; skipped where mounting is not allowed). With a fixture profile: the codec does not matter.
@Suite(.serialized) struct FullDiskTests {
    /// Mounts a tmpfs of `kilobytes` on `folder` (created), read-only if asked.
    static func mount(_ folder: URL, kilobytes: Int, readOnly: Bool = false) throws -> Bool {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        guard getuid() == 0, let tool = Tools.find("mount") else { return false }
        let options = "size=\(kilobytes)k" + (readOnly ? ",ro" : "")
        return try Tools.run(tool, ["-t", "tmpfs", "-o", options, "tmpfs", folder.path]).status == 0
    }

    static func unmount(_ folder: URL) {
        if let tool = Tools.find("umount") { _ = try? Tools.run(tool, [folder.path]) }
    }

    static let canMount: Bool = {
        guard let folder = try? Fixtures.makeTemporaryDirectory("octarc-mount-probe") else { return false }
        defer { try? FileManager.default.removeItem(at: folder) }
        let mounted = (try? mount(folder, kilobytes: 16)) ?? false
        if mounted { unmount(folder) }
        return mounted
    }()
}

extension FullDiskTests {
    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
    func aFullOrReadOnlyDiskIsSaidInWords() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0,1"])
        #expect(try a.octarcWithFixtures(["convert", a.url("archive").path, "--out", a.url("out").path]).status == 0)

        // restore onto a disk too small for one instance: "no space left", no temporary file left.
        let small = a.url("small")
        try #require(try Self.mount(small, kilobytes: 200))
        defer { Self.unmount(small) }
        let restore = try a.octarcWithFixtures([
            "restore", a.url("out").path, "--out", small.appendingPathComponent("restored").path,
        ])
        #expect(restore.status == 1)
        #expect(restore.output.contains("no space left"), "\(restore.output)")
        #expect(!restore.output.contains("NSCocoaErrorDomain"))
        let left = FileManager.default.enumerator(atPath: small.path)?.allObjects as? [String] ?? []
        #expect(!left.contains { $0.hasSuffix(".tmp") || $0.hasSuffix(".dcm") }, "\(left)")

        // convert onto a disk too small for the container: the series fails, the summary still ends the run.
        let tiny = a.url("tiny")
        try #require(try Self.mount(tiny, kilobytes: 12))
        defer { Self.unmount(tiny) }
        let convert = try a.octarcWithFixtures([
            "convert", a.url("archive").path, "--out", tiny.appendingPathComponent("out").path,
        ])
        #expect(convert.status == 1)
        #expect(convert.output.lowercased().contains("no space left"), "\(convert.output)")
        #expect(convert.output.contains("manifest:") || convert.output.contains("manifest"), "\(convert.output)")
        #expect(!convert.output.contains("NSCocoaErrorDomain"))

        // a read-only disk: said, with the path.
        let readOnly = a.url("read-only")
        try #require(try Self.mount(readOnly, kilobytes: 64, readOnly: true))
        defer { Self.unmount(readOnly) }
        let target = readOnly.appendingPathComponent("out").path
        let refused = try a.octarcWithFixtures(["convert", a.url("archive").path, "--out", target])
        #expect(refused.status != 0)
        #expect(
            refused.output.contains(target) && refused.output.contains("read-only file system"), "\(refused.output)")
        #expect(!refused.output.contains("NSCocoaErrorDomain") && !refused.output.contains("Code="))
    }

    /// The disk fills up after the containers are written: the rerun cannot write manifest.json, says
    /// so, and still ends with its summary.
    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs"))
    func aManifestThatCannotBeWrittenIsSaidAndTheSummaryStillEnds() throws {
        let a = try AwkwardArchive()
        defer { a.remove() }
        try a.instance("archive/one.dcm", ["--frames", "0"])
        let disk = a.url("disk")
        try #require(try Self.mount(disk, kilobytes: 256))
        defer { Self.unmount(disk) }
        let out = disk.appendingPathComponent("out")
        #expect(try a.octarcWithFixtures(["convert", a.url("archive").path, "--out", out.path]).status == 0)
        // Fill what is left, and leave the manifest no room to be rewritten.
        let filler = open(disk.appendingPathComponent("filler").path, O_WRONLY | O_CREAT, 0o644)
        try #require(filler >= 0)
        let chunk = [UInt8](repeating: 0, count: 4096)
        while chunk.withUnsafeBytes({ write(filler, $0.baseAddress, $0.count) }) > 0 {}
        close(filler)

        let rerun = try a.octarcWithFixtures(["convert", a.url("archive").path, "--out", out.path])
        #expect(rerun.status == 1, "\(rerun.output)")
        #expect(rerun.output.contains("1 up to date"), "the summary is missing: \(rerun.output)")
        #expect(rerun.output.contains("manifest NOT written"), "\(rerun.output)")
        #expect(rerun.output.contains("no space left"), "\(rerun.output)")
        #expect(!rerun.output.contains("NSCocoaErrorDomain"))
        #expect(
            FileManager.default.fileExists(atPath: out.appendingPathComponent("manifest.json").path),
            "the earlier manifest must survive a failed rewrite")
    }
}
