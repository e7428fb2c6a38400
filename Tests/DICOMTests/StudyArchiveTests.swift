import DICOM
import Foundation
import TestSupport
import Testing

@Suite struct StudyArchiveTests {}

extension StudyArchiveTests {
    /// A tree of 1,000 files with any names in nested folders: 200 valid OCT instances in two
    /// series, and 800 files of five kinds of bad input.
    static func makeMixedTree(in root: URL) throws -> [URL] {
        let manager = FileManager.default
        var files: [URL] = []
        func place(_ index: Int, _ name: String) throws -> URL {
            let folder = root.appendingPathComponent("patient\(index % 7)/visit\(index % 5)")
            try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            let url = folder.appendingPathComponent(name)
            files.append(url)
            return url
        }
        let writer = try DerivedInstanceWriter()
        let derivation = Derivation(description: "tree", compressionRatio: 2, compressionMethod: "ISO_10918_1")
        let tiny = try OCTInstance.open(TestFiles.tiny)
        let single = try OCTInstance.open(TestFiles.singleFrameSeries.appendingPathComponent("a.dcm"))
        for (instance, count) in [(tiny, 150), (single, 50)] {
            let header = try instance.headerDataset()
            let frames = try TestFiles.frames(instance)
            for _ in 0..<count {
                try writer.write(
                    header: header, frames: frames, derivation: derivation,
                    to: try place(files.count, "IM\(files.count)"))
            }
        }
        let truncated = try Data(contentsOf: TestFiles.tiny).prefix(2000)
        for index in 0..<200 {
            try Data("note \(index)\n".utf8).write(to: try place(files.count, "note\(index).txt"))
            try truncated.write(to: try place(files.count, "cut\(index)"))
            try manager.copyItem(at: TestFiles.ct, to: try place(files.count, "ct\(index).dcm"))
        }
        for index in 0..<150 {
            try manager.copyItem(at: TestFiles.shortPixelData, to: try place(files.count, "short\(index)"))
        }
        for index in 0..<50 {
            try manager.copyItem(at: TestFiles.zeroFrames, to: try place(files.count, "zero\(index)"))
        }
        return files
    }

    @Test func aTreeOfAThousandMixedFilesIsListedFileByFile() throws {
        let root = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try Self.makeMixedTree(in: root)
        #expect(files.count == 1000)

        let archive = StudyArchive.scan(root)
        #expect(archive.series.map(\.instances.count).sorted() == [50, 150])
        #expect(archive.skipped.count == 800)
        let listed = Set(archive.instances.map(\.url.path) + archive.skipped.map(\.url.path))
        #expect(listed == Set(files.map(\.standardizedFileURL.path)))
        let kinds = Dictionary(grouping: archive.skipped, by: \.error.kind).mapValues(\.count)
        #expect(kinds == [.notDICOM: 200, .truncated: 200, .notOCT: 200, .shortPixelData: 150, .noFrames: 50])

        let report = archive.report
        #expect(report.skipped.count == 800)
        #expect(report.series.map(\.instances).reduce(0, +) == 200 && report.series.map(\.frames).reduce(0, +) == 500)
        let decoded = try JSONDecoder().decode(StudyArchive.Report.self, from: archive.reportJSON())
        #expect(decoded == archive.report)
    }

    @Test func aDuplicateInstanceIsListedOnce() throws {
        let root = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        for name in ["first", "second"] {
            try FileManager.default.copyItem(at: TestFiles.tiny, to: root.appendingPathComponent(name))
        }
        let archive = StudyArchive.scan(root)
        #expect(archive.instances.map(\.url.lastPathComponent) == ["first"])
        #expect(archive.skipped.map(\.error.kind) == [.duplicateInstance])
        #expect(archive.skipped.first?.reason.contains(root.appendingPathComponent("first").path) == true)
    }

    @Test(.enabled(if: Tools.find("dcmmkdir") != nil))
    func aDICOMDIRIsSkippedAsAnIndex() throws {
        let root = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("SUB"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: TestFiles.tiny, to: root.appendingPathComponent("SUB/IM1"))
        let tool = try #require(Tools.find("dcmmkdir"))
        let result = try Tools.run(
            tool,
            [
                "--output-file", root.appendingPathComponent("DICOMDIR").path,
                "--input-directory", root.path, "--recurse", "SUB",
            ])
        #expect(result.status == 0, "\(result.output)")
        let archive = StudyArchive.scan(root)
        #expect(archive.instances.count == 1)
        #expect(archive.skipped.map(\.error.kind) == [.directoryIndex])
    }

    @Test func missingPathsAreListed() {
        let missing = URL(fileURLWithPath: "/nonexistent/octarc/archive")
        let archive = StudyArchive.scan([missing, TestFiles.tiny])
        #expect(archive.instances.count == 1)
        #expect(archive.skipped.map(\.url) == [missing])
        #expect(archive.skipped.first?.reason == "no such file or directory")
    }

    /// The report's data: one entry per series and per skipped file (`octarc inspect` draws the table).
    @Test func theReportHasAnEntryPerSeriesAndSkippedFile() {
        let report = StudyArchive.scan(TestFiles.fixtures).report
        let fixture = report.series.first { $0.patientID == "FIXTURE-1" }
        #expect(fixture?.sopClassUID == DICOMUID.ophthalmicTomographyImageStorage)
        #expect(fixture.map { [$0.rows, $0.columns] } == [24, 32])
        #expect(fixture?.transferSyntaxUIDs == [TransferSyntax.explicitVRLittleEndian])
        #expect(report.skipped.count == 3)
        #expect(report.series.count == 2)
        #expect(report.series.map(\.instances).reduce(0, +) == 4 && report.series.map(\.frames).reduce(0, +) == 6)
    }
}
