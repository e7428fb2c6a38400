import DICOM
import Foundation
import TestSupport
import Testing

/// Each kind of bad input gets its own error, naming the file, without a crash or a hang.
@Suite struct BadInputTests {}

extension BadInputTests {
    /// The error `OCTInstance.open` throws for `url`.
    static func openError(_ url: URL) -> DICOMError? {
        #expect(throws: DICOMError.self) { try OCTInstance.open(url) }
    }

    /// A copy of the first `count` bytes of `source` in `directory`.
    static func truncatedCopy(of source: URL, bytes count: Int, in directory: URL) throws -> URL {
        let url = directory.appendingPathComponent("truncated-" + source.lastPathComponent)
        try Data(try Data(contentsOf: source).prefix(count)).write(to: url)
        return url
    }

    @Test(arguments: TestFiles.samples)
    func aTruncatedFileIsReportedAsTruncated(_ source: URL) throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let size = try Data(contentsOf: source).count
        for count in [size / 2, size - 1] {
            let url = try Self.truncatedCopy(of: source, bytes: count, in: directory)
            let error = Self.openError(url)
            #expect(error?.kind == .truncated)
            #expect(error?.description == "truncated DICOM file: the data ends inside an attribute in \(url.path)")
        }
    }

    @Test func aFileCutAnywhereIsAnErrorNamingIt() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let size = try Data(contentsOf: TestFiles.tiny).count
        for count in stride(from: 0, to: size, by: 23) {
            let url = try Self.truncatedCopy(of: TestFiles.tiny, bytes: count, in: directory)
            let error = Self.openError(url)
            // A cut between two attributes leaves a shorter, well-formed data set without Pixel Data.
            let expected: [DICOMError.Kind] = count < 132 ? [.notDICOM] : [.truncated, .corrupt, .missingAttribute]
            #expect(error.map { expected.contains($0.kind) } == true, "\(count) bytes: \(String(describing: error))")
            #expect(error?.file == url.path)
        }
    }

    @Test func aFileThatIsNotDICOMIsReportedAsSuch() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = directory.appendingPathComponent("notes.txt")
        try Data(String(repeating: "not a DICOM file\n", count: 40).utf8).write(to: text)
        let empty = directory.appendingPathComponent("empty")
        try Data().write(to: empty)
        let noise = directory.appendingPathComponent("noise.dcm")
        var state: UInt32 = 12345
        try Data(
            (0..<5000).map { _ in
                state = state &* 1_103_515_245 &+ 12345
                return UInt8(truncatingIfNeeded: state >> 16)
            }
        ).write(to: noise)

        let error = Self.openError(text)
        #expect(error?.kind == .notDICOM)
        #expect(error?.description == "not a DICOM file (no DICM prefix at byte 128) in \(text.path)")
        #expect(Self.openError(empty)?.description == "not a DICOM file (empty) in \(empty.path)")
        #expect(Self.openError(noise)?.kind == .notDICOM)
    }

    @Test func aCTInstanceIsNotOCT() {
        let error = Self.openError(TestFiles.ct)
        #expect(error?.kind == .notOCT)
        #expect(
            error?.description == "not an OCT instance: SOP class 1.2.840.10008.5.1.4.1.1.2 (CTImageStorage) "
                + "in \(TestFiles.ct.path)")
    }

    @Test func shortPixelDataIsReported() {
        let error = Self.openError(TestFiles.shortPixelData)
        #expect(error?.kind == .shortPixelData)
        #expect(
            error?.description == "Pixel Data holds 2304 bytes, fewer than 4 frames x 768 bytes "
                + "in \(TestFiles.shortPixelData.path)")
    }

    @Test func zeroFramesAreReported() {
        let error = Self.openError(TestFiles.zeroFrames)
        #expect(error?.kind == .noFrames)
        #expect(error?.description == "Number of Frames is 0 (no frames) in \(TestFiles.zeroFrames.path)")
    }

    @Test(.enabled(if: Tools.find("dcmconv") != nil))
    func anUnsupportedTransferSyntaxIsNamed() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let bigEndian = directory.appendingPathComponent("big-endian.dcm")
        let result = try Tools.run(try #require(Tools.find("dcmconv")), ["+tb", TestFiles.tiny.path, bigEndian.path])
        #expect(result.status == 0, "\(result.output)")
        let error = Self.openError(bigEndian)
        #expect(error?.kind == .unsupportedTransferSyntax)
        #expect(error?.description == "unsupported transfer syntax 1.2.840.10008.1.2.2 in \(bigEndian.path)")
    }

    /// Pixel formats other than unsigned 8/16-bit grayscale are refused with their name;
    /// MONOCHROME1 is read as stored.
    @Test(
        .enabled(if: Tools.find("dcmodify") != nil),
        arguments: [
            ("PhotometricInterpretation=RGB", "unsupported photometric interpretation RGB"),
            ("PixelRepresentation=1", "unsupported signed pixels (Pixel Representation 1)"),
            ("SamplesPerPixel=3", "unsupported Samples per Pixel 3"),
            ("HighBit=6", "unsupported Bits Stored 8 / High Bit 6 with Bits Allocated 8"),
            ("PhotometricInterpretation=MONOCHROME1", ""),
        ])
    func pixelFormatsAreCheckedByName(_ change: String, _ reason: String) throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("modified.dcm")
        try FileManager.default.copyItem(at: TestFiles.tiny, to: url)
        let result = try Tools.run(try #require(Tools.find("dcmodify")), ["-nb", "-m", change, url.path])
        #expect(result.status == 0, "\(result.output)")
        if reason.isEmpty {
            let instance = try OCTInstance.open(url)
            #expect(instance.geometry.photometricInterpretation == "MONOCHROME1")
            #expect(try TestFiles.frames(instance) == TestFiles.frames(OCTInstance.open(TestFiles.tiny)))
        } else {
            let error = Self.openError(url)
            #expect(error?.kind == .unsupportedPixelFormat)
            #expect(error?.description == "\(reason) in \(url.path)")
        }
    }

    @Test func aFileTruncatedAfterTheScanFailsOnItsFrames() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("later-truncated.dcm")
        try FileManager.default.copyItem(at: TestFiles.bioptigen, to: url)
        let instance = try OCTInstance.open(url)
        let data = try Data(contentsOf: url)
        try data.prefix(data.count / 2).write(to: url)
        let error = #expect(throws: DICOMError.self) { try instance.frame(4) }
        #expect(error?.file == url.path)
    }
}

extension BadInputTests {
    /// Issue 13 rule 10: a Number of Frames beyond 32 bits was read as 0 ("is 0"); it is named as it is.
    @Test func aNumberOfFramesBeyond32BitsIsNamedAsWritten() throws {
        let dcmodify = try #require(Tools.find("dcmodify"))
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("huge-frame-count.dcm")
        try FileManager.default.copyItem(at: TestFiles.tiny, to: url)
        let edit = try Tools.run(dcmodify, ["-nb", "-m", "(0028,0008)=4294967296", url.path])
        try #require(edit.status == 0, "\(edit.output)")
        let error = try #require(Self.openError(url))
        #expect(error.kind != .noFrames, "\(error)")
        #expect(error.description.contains("4294967296"), "\(error)")
    }
}
