import DICOM
import Foundation
import TestSupport
import Testing

/// Issue 13 rule 4: no input is ever skipped silently. Symbolic links are followed (loops and a file
/// reached twice are read once), names are read as bytes, and whatever cannot be read is listed with
/// the reason. Rule 5's "outputs never feed back": an excluded folder is not entered.
@Suite struct ScanLinksAndSpecialFilesTests {
    /// A scratch folder with `archive/` holding nothing yet, and `elsewhere/duke.dcm`.
    static func scratch() throws -> (work: URL, archive: URL, elsewhere: URL) {
        let work = try Fixtures.makeTemporaryDirectory("octarc-scan")
        let archive = work.appendingPathComponent("archive")
        let elsewhere = work.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestFiles.duke, to: elsewhere.appendingPathComponent("duke.dcm"))
        return (work, archive, elsewhere)
    }

    static func link(_ path: URL, to target: URL) throws {
        try FileManager.default.createSymbolicLink(atPath: path.path, withDestinationPath: target.path)
    }
}

extension ScanLinksAndSpecialFilesTests {
    @Test func aSymlinkedSubfolderIsScanned() throws {
        let (work, archive, elsewhere) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: work) }
        try Self.link(archive.appendingPathComponent("linked"), to: elsewhere)
        let scan = StudyArchive.scan(archive)
        #expect(scan.series.count == 1, "a symlinked subfolder was ignored: \(scan.skipped)")
        #expect(scan.skipped.isEmpty)
        #expect(scan.instances.first?.url.path == archive.appendingPathComponent("linked/duke.dcm").path)
    }

    @Test func aSymlinkedArchiveRootIsScanned() throws {
        let (work, _, elsewhere) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: work) }
        let root = work.appendingPathComponent("root-link")
        try Self.link(root, to: elsewhere)
        #expect(StudyArchive.scan(root).series.count == 1)
    }

    @Test func aLinkLoopAndAFileReachedTwiceAreReadOnce() throws {
        let (work, archive, elsewhere) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.moveItem(
            at: elsewhere.appendingPathComponent("duke.dcm"), to: archive.appendingPathComponent("duke.dcm"))
        try Self.link(archive.appendingPathComponent("loop"), to: archive)  // back to an ancestor
        try Self.link(archive.appendingPathComponent("again.dcm"), to: archive.appendingPathComponent("duke.dcm"))
        let scan = StudyArchive.scan(archive)
        #expect(scan.instances.count == 1)
        #expect(scan.skipped.isEmpty, "a file reached twice is one file, not a duplicate: \(scan.skipped)")
    }

    @Test func aSymlinkedInputHasItsTargetsSize() throws {
        let (work, archive, elsewhere) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: work) }
        try Self.link(archive.appendingPathComponent("duke.dcm"), to: elsewhere.appendingPathComponent("duke.dcm"))
        let instance = try #require(StudyArchive.scan(archive).instances.first)
        let size = try FileManager.default.attributesOfItem(atPath: TestFiles.duke.path)[.size] as? Int
        #expect(instance.fileSize == size)
    }

    @Test func danglingLinksSpecialFilesAndUndecodableNamesAreListed() throws {
        let (work, archive, elsewhere) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: work) }
        try FileManager.default.copyItem(
            at: elsewhere.appendingPathComponent("duke.dcm"), to: archive.appendingPathComponent("duke.dcm"))
        try Self.link(archive.appendingPathComponent("gone.dcm"), to: work.appendingPathComponent("nothing-here.dcm"))
        #expect(mkfifo(archive.appendingPathComponent("pipe").path, 0o644) == 0)
        // A link to itself cannot be followed (ELOOP): listed as unreadable, with the reason.
        try Self.link(archive.appendingPathComponent("self.dcm"), to: archive.appendingPathComponent("self.dcm"))
        // A Latin-1 file name ("caf\xe9.dcm"), as old PACS exports write them.
        let name: [UInt8] = Array(archive.path.utf8) + Array("/caf".utf8) + [0xE9] + Array(".dcm".utf8) + [0]
        let descriptor = name.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                open($0, O_WRONLY | O_CREAT, 0o644)
            }
        }
        #expect(descriptor >= 0)
        close(descriptor)

        let scan = StudyArchive.scan(archive)
        #expect(scan.series.count == 1)
        let kinds = Dictionary(
            scan.skipped.map { ($0.url.lastPathComponent, $0.error.kind) }, uniquingKeysWith: { a, _ in a })
        #expect(kinds["gone.dcm"] == .danglingLink, "\(scan.skipped)")
        #expect(kinds["pipe"] == .specialFile, "\(scan.skipped)")
        #expect(
            scan.skipped.contains { $0.error.kind == .undecodableName && $0.reason.contains("e9") }, "\(scan.skipped)")
        #expect(kinds["self.dcm"] == .unreadable, "\(scan.skipped)")
        #expect(scan.skipped.count == 4)
    }

    @Test(.enabled(if: getuid() != 0, "root reads folders whatever their permissions"))
    func anUnreadableSubfolderIsListed() throws {
        let (work, archive, elsewhere) = try Self.scratch()
        defer {
            chmod(elsewhere.path, 0o755)
            try? FileManager.default.removeItem(at: work)
        }
        try Self.link(archive.appendingPathComponent("locked"), to: elsewhere)
        #expect(chmod(elsewhere.path, 0) == 0)
        let scan = StudyArchive.scan(archive)
        #expect(scan.skipped.contains { $0.error.kind == .unreadable && $0.reason.contains("cannot read this folder") })
    }

    @Test func anExcludedFolderIsNotEntered() throws {
        let (work, archive, elsewhere) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: work) }
        let out = archive.appendingPathComponent("out")
        try FileManager.default.moveItem(at: elsewhere, to: out)
        #expect(StudyArchive.scan(archive).series.count == 1)
        let scan = StudyArchive.scan(archive, excluding: [out])
        #expect(scan.series.isEmpty && scan.skipped.isEmpty)
    }

    @Test func anotherConvertsOutputFolderIsListedNotScanned() throws {
        let (work, archive, elsewhere) = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: work) }
        let output = archive.appendingPathComponent("old-out")
        try FileManager.default.moveItem(at: elsewhere, to: output)
        try Data().write(to: output.appendingPathComponent(".octarc.lock"))
        let scan = StudyArchive.scan(archive)
        #expect(scan.series.isEmpty)
        #expect(scan.skipped.map(\.error.kind) == [.octarcOutput])
        #expect(scan.skipped.first?.url.path == output.path)
    }
}
