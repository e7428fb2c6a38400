import DICOM
import Foundation
import Imaging
import TestSupport
import Testing

/// Every supported transfer syntax decodes to the same stored values: the samples are re-encoded
/// with DCMTK's command-line tools (a conversion is skipped only where its tool is absent).
@Suite struct TransferSyntaxTests {}

extension TransferSyntaxTests {
    /// A lossless re-encoding: tool, arguments before the file names, the transfer syntax it writes.
    struct Conversion: CustomTestStringConvertible, Sendable {
        let tool: String
        let options: [String]
        let transferSyntax: String
        var testDescription: String { "\(tool) \(options.joined(separator: " "))" }
    }

    static let lossless = [
        Conversion(tool: "dcmconv", options: ["+ti"], transferSyntax: TransferSyntax.implicitVRLittleEndian),
        Conversion(tool: "dcmconv", options: ["+td"], transferSyntax: TransferSyntax.deflatedExplicitVRLittleEndian),
        Conversion(tool: "dcmcjpeg", options: ["+e1"], transferSyntax: TransferSyntax.jpegLosslessSV1),
        Conversion(tool: "dcmcjpeg", options: ["+el"], transferSyntax: TransferSyntax.jpegLossless),
        Conversion(tool: "dcmcjpls", options: ["+el"], transferSyntax: TransferSyntax.jpegLSLossless),
        Conversion(tool: "dcmcrle", options: [], transferSyntax: TransferSyntax.rleLossless),
    ]
    static let decompressJPEGLS = Conversion(
        tool: "dcmdjpls", options: [],
        transferSyntax: TransferSyntax.explicitVRLittleEndian)

    /// Runs `conversion` on `source` into `directory`; nil when the tool is absent.
    static func convert(_ source: URL, _ conversion: Conversion, into directory: URL, name: String) throws -> URL? {
        guard let tool = Tools.find(conversion.tool) else { return nil }
        let output = directory.appendingPathComponent(name)
        let result = try Tools.run(tool, conversion.options + [source.path, output.path])
        #expect(result.status == 0, "\(conversion.testDescription): \(result.output)")
        return output
    }

    /// The samples in Explicit VR Little Endian: the 8-bit one as it is, the JPEG-LS one
    /// decompressed by dcmdjpls (left out if that tool is absent).
    static func uncompressedSamples(in directory: URL) throws -> [URL] {
        let plain = try convert(TestFiles.bioptigen, decompressJPEGLS, into: directory, name: "plain.dcm")
        return [TestFiles.duke] + (plain.map { [$0] } ?? [])
    }

    @Test(arguments: lossless)
    func losslessEncodingsDecodeToTheSameFrames(_ conversion: Conversion) throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for source in try Self.uncompressedSamples(in: directory) {
            #expect(try OCTInstance.open(source).transferSyntaxUID == TransferSyntax.explicitVRLittleEndian)
            guard let converted = try Self.convert(source, conversion, into: directory, name: "converted.dcm")
            else { continue }
            let instance = try OCTInstance.open(converted)
            #expect(instance.transferSyntaxUID == conversion.transferSyntax)
            #expect(
                try TestFiles.frames(instance) == TestFiles.frames(OCTInstance.open(source)),
                "\(source.lastPathComponent) via \(conversion.testDescription)")
        }
    }

    /// Lossy JPEG decodes to what DCMTK's own decompressor (dcmdjpeg) makes of it.
    @Test(.enabled(if: ["dcmcjpeg", "dcmdjpeg", "dcmdjpls"].allSatisfy { Tools.find($0) != nil }))
    func lossyJPEGDecodesLikeDCMTKsDecompressor() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try #require(
            try Self.convert(
                TestFiles.bioptigen, Self.decompressJPEGLS, into: directory,
                name: "plain.dcm"))
        let cases = [(TestFiles.duke, "+eb", TransferSyntax.jpegBaseline), (plain, "+ee", TransferSyntax.jpegExtended)]
        for (source, option, transferSyntax) in cases {
            let lossy = try #require(
                try Self.convert(
                    source, Conversion(tool: "dcmcjpeg", options: [option], transferSyntax: transferSyntax),
                    into: directory, name: "lossy.dcm"))
            let decompressed = try #require(
                try Self.convert(
                    lossy,
                    Conversion(tool: "dcmdjpeg", options: [], transferSyntax: TransferSyntax.explicitVRLittleEndian),
                    into: directory, name: "decompressed.dcm"))
            let instance = try OCTInstance.open(lossy)
            #expect(instance.transferSyntaxUID == transferSyntax)
            let frames = try TestFiles.frames(instance)
            #expect(frames == (try TestFiles.frames(OCTInstance.open(decompressed))))
            #expect(frames != (try TestFiles.frames(OCTInstance.open(source))), "lossy coding changed nothing?")
        }
    }
}
