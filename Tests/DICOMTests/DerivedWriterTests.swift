import DICOM
import Foundation
import Imaging
import TestSupport
import Testing

@Suite struct DerivedWriterTests {}

extension DerivedWriterTests {
    static let derivation = Derivation(
        description: "octarc test restore", compressionRatio: 23.5,
        compressionMethod: "OCTARC_TEST")

    /// Writes a derived copy of `source` with its own pixels and returns it, opened.
    static func roundTrip(_ source: OCTInstance, in directory: URL) throws -> OCTInstance {
        let output = directory.appendingPathComponent("derived-" + source.url.lastPathComponent)
        let writer = try DerivedInstanceWriter(uidRoot: "1.2.826.0.1.3680043.10.1")
        let uid = try writer.write(
            header: source.headerDataset(), frames: TestFiles.frames(source),
            derivation: derivation, to: output)
        let derived = try OCTInstance.open(output)
        #expect(derived.sopInstanceUID == uid)
        #expect(uid.hasPrefix("1.2.826.0.1.3680043.10.1.") && uid.count <= 64)
        return derived
    }

    /// Top-level paths the derived-image rules change; per-frame Derivation Image groups are
    /// checked apart.
    static let changed: Set<String> = [
        "(0002,0003)", "(0002,0010)", "(0002,0012)", "(0002,0013)", "(0002,0000)",
        "(0008,0008)", "(0008,0018)", "(0028,2110)", "(0028,2112)", "(0028,2114)",
    ]

    static func isDerivationGroup(_ path: String) -> Bool {
        path.hasPrefix("(5200,9230)[") && path.contains("].(0008,9124)")
    }

    @Test(arguments: TestFiles.samples)
    func roundTripKeepsPixelsAndEveryOtherAttribute(_ url: URL) throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try OCTInstance.open(url)
        let derived = try Self.roundTrip(source, in: directory)

        #expect(derived.geometry == source.geometry)
        #expect(derived.transferSyntaxUID == TransferSyntax.explicitVRLittleEndian)
        #expect(try TestFiles.frames(derived) == TestFiles.frames(source))
        #expect(derived.sourceSOPInstanceUID == source.sopInstanceUID)
        #expect(derived.studyInstanceUID == source.studyInstanceUID)
        #expect(derived.seriesInstanceUID == source.seriesInstanceUID)

        let before = try source.headerDataset().attributes()
        let after = try derived.headerDataset().attributes()
        let kept = before.filter { !Self.changed.contains($0.path) && !Self.isDerivationGroup($0.path) }
        let keptAfter = after.filter { !Self.changed.contains($0.path) && !Self.isDerivationGroup($0.path) }
        #expect(keptAfter.count == kept.count)
        for (old, new) in zip(kept, keptAfter) {
            #expect(old == new, "\(old.path) changed")
        }

        let value = Dictionary(after.map { ($0.path, $0.text) }, uniquingKeysWith: { first, _ in first })
        #expect(value["(0002,0003)"] == derived.sopInstanceUID)
        #expect(value["(0002,0010)"] == TransferSyntax.explicitVRLittleEndian)
        #expect(value["(0008,0008)"] == "DERIVED\\PRIMARY")
        #expect(value["(0028,2110)"] == "01")
        #expect(value["(0028,2112)"] == "23.5")
        #expect(value["(0028,2114)"] == "OCTARC_TEST")
        #expect(value["(0008,2111)"] == nil)
        for frame in 0..<source.geometry.numberOfFrames {
            let group = "(5200,9230)[\(frame)].(0008,9124)[0]."
            #expect(value[group + "(0008,2111)"] == "octarc test restore")
            #expect(value[group + "(0008,9215)[0].(0008,0100)"] == "113040")
            #expect(value[group + "(0008,9215)[0].(0008,0102)"] == "DCM")
            #expect(value[group + "(0008,9215)[0].(0008,0104)"] == "Lossy Compression")
            let source0 = group + "(0008,2112)[0]."
            #expect(value[source0 + "(0008,1150)"] == source.sopClassUID)
            #expect(value[source0 + "(0008,1155)"] == source.sopInstanceUID)
            #expect(value[source0 + "(0008,1160)"] == String(frame + 1))
            #expect(value[source0 + "(0040,A170)[0].(0008,0100)"] == "121320")
            #expect(value[source0 + "(0040,A170)[0].(0008,0104)"] == "Uncompressed predecessor")
        }
    }

    @Test func privateAttributesSurvive() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try OCTInstance.open(TestFiles.duke)
        let derived = try Self.roundTrip(source, in: directory)
        let privateBefore = try source.headerDataset().attributes().filter { $0.path.hasPrefix("(0009,") }
        let privateAfter = try derived.headerDataset().attributes().filter { $0.path.hasPrefix("(0009,") }
        #expect(privateBefore.count == 5)
        #expect(privateAfter == privateBefore)
    }

    @Test func aSecondGenerationAppendsRatioAndMethod() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try Self.roundTrip(OCTInstance.open(TestFiles.tiny), in: directory)
        let output = directory.appendingPathComponent("second.dcm")
        try DerivedInstanceWriter().write(
            header: first.headerDataset(), frames: TestFiles.frames(first),
            derivation: Derivation(description: "again", compressionRatio: 10, compressionMethod: "ISO_10918_1"),
            to: output)
        let second = try OCTInstance.open(output)
        let header = try second.headerDataset()
        #expect(try header.string(.lossyImageCompressionRatio) == "23.5\\10")
        #expect(try header.string(.lossyImageCompressionMethod) == "OCTARC_TEST\\ISO_10918_1")
        #expect(try header.string(.lossyImageCompression) == "01")
        #expect(second.sourceSOPInstanceUID == first.sopInstanceUID)
        #expect(second.sopInstanceUID.hasPrefix("2.25."))
    }

    @Test func headerBytesRecreateTheDataset() throws {
        let source = try OCTInstance.open(TestFiles.duke)
        let header = try source.headerDataset()
        let reparsed = try HeaderDataset(bytes: header.bytes)
        #expect(try reparsed.attributes() == header.attributes())
        #expect(try header.string(.sopInstanceUID) == source.sopInstanceUID)
        #expect(try header.geometry() == source.geometry)
        #expect(try header.string(.pixelData) == nil)
        #expect(throws: DICOMError.self) { try HeaderDataset(bytes: Array(header.bytes.prefix(300))) }
    }

    @Test func theWriterRejectsFramesThatDoNotFitTheHeader() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try OCTInstance.open(TestFiles.tiny)
        let header = try source.headerDataset()
        var frames = try TestFiles.frames(source)
        let output = directory.appendingPathComponent("out.dcm")
        let writer = try DerivedInstanceWriter()

        let tooFew = #expect(throws: DICOMError.self) {
            try writer.write(header: header, frames: Array(frames.dropLast()), derivation: Self.derivation, to: output)
        }
        #expect(tooFew?.kind == .invalidArgument)
        frames[1][0, 0] = 256
        let tooBright = #expect(throws: DICOMError.self) {
            try writer.write(header: header, frames: frames, derivation: Self.derivation, to: output)
        }
        #expect(tooBright?.description.contains("frame 2 of 3") == true)
        #expect(throws: DICOMError.self) { try DerivedInstanceWriter(uidRoot: "1.02.3") }
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test(.enabled(if: Tools.find("dciodvfy") != nil), arguments: TestFiles.samples)
    func dciodvfyFindsNothingNewInAWrittenFile(_ url: URL) throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try OCTInstance.open(url)
        let before = try Tools.dciodvfyFindings(url)

        // With a defined term for the method: nothing the source does not have.
        let standard = directory.appendingPathComponent("standard.dcm")
        try DerivedInstanceWriter().write(
            header: source.headerDataset(), frames: TestFiles.frames(source),
            derivation: Derivation(description: "restored", compressionRatio: 12, compressionMethod: "ISO_15444_1"),
            to: standard)
        let new = try Tools.dciodvfyFindings(standard).subtracting(before)
        #expect(new.isEmpty, "new findings: \(new.sorted())")

        // With a term of our own: one warning about that term, nothing else.
        let custom = try Self.roundTrip(source, in: directory)
        #expect(
            try Tools.dciodvfyFindings(custom.url).subtracting(before) == [
                "Warning - Unrecognized defined term <OCTARC_TEST> for value 1 of attribute <Lossy Image Compression Method>"
            ])
    }

    /// An odd number of 8-bit samples, narrowed by the writer's callback straight into DCMTK's array:
    /// the frame reads back whole, Pixel Data keeps an even length (so does the file), and the file is
    /// no worse than its source to dciodvfy.
    @Test func anOddNumberOfEightBitSamplesIsPaddedToAnEvenLength() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = try SampleVariants.write(
            ["--frames", "0", "--size", "7x9"], to: directory.appendingPathComponent("odd.dcm"))
        let source = try OCTInstance.open(url)
        #expect(source.geometry.bitsAllocated == 8)
        #expect(source.geometry.rows * source.geometry.columns * source.geometry.numberOfFrames % 2 == 1)
        let derived = try Self.roundTrip(source, in: directory)
        #expect(try TestFiles.frames(derived) == TestFiles.frames(source))
        #expect(try Data(contentsOf: derived.url).count % 2 == 0)
        if Tools.find("dciodvfy") != nil {
            #expect(
                try Tools.dciodvfyFindings(derived.url).subtracting(Tools.dciodvfyFindings(url)) == [
                    "Warning - Unrecognized defined term <OCTARC_TEST> for value 1 of attribute <Lossy Image Compression Method>"
                ])
        }
    }
}
