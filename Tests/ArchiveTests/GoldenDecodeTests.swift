import Codec
import Container
import DICOM
import Foundation
import Neural
import Support
import TestSupport
import Testing

@testable import Archive

/// A golden container, `Tests/Data/decode/golden-cr50f.octz` (the Bioptigen sample converted with the
/// shipped cr50f profile), must restore to the same pixels forever and on every CPU: the SHA-256 of
/// each restored frame's stored values is in `golden-cr50f.json`. Restored here with the decoder's
/// exact kernels capped at every instruction set this CPU runs (the generic build on the first frame
/// only: it runs fused multiply-adds through fmaf, which is slow where the CPU lacks them).
/// `Scripts/regenerate-golden-containers` writes both files (OCTARC_REGENERATE_GOLDEN=1); never
/// regenerate them to make this test pass: a difference means restored archives changed.
@Suite struct GoldenDecodeTests {
    static let directory = Fixtures.testData.appendingPathComponent("decode")
    static let profileName = "cr50f"
    static var container: URL { directory.appendingPathComponent("golden-\(profileName).octz") }
    static var expectation: URL { directory.appendingPathComponent("golden-\(profileName).json") }
    static var regenerating: Bool { ProcessInfo.processInfo.environment["OCTARC_REGENERATE_GOLDEN"] == "1" }

    struct Expectation: Codable, Equatable {
        var profile: String
        var profileWeightsSHA256: String
        /// Per instance, per frame: SHA-256 of the restored stored values (UInt16, little-endian).
        var frames: [[String]]
    }

    /// The stored values of every frame of `reader`, decoded with the decoder capped at `set`.
    static func restoredHashes(
        _ reader: OctzReader, set: Network.KernelInstructionSet, firstFrameOnly: Bool = false
    ) throws -> [[String]] {
        let profile = try ProfileLibrary(folders: [Fixtures.profiles], decoderInstructionSet: set)
            .load(reader.header.profileName)
        let codec = FrameCodec(profile: profile)
        return try reader.header.instances.enumerated().map { index, info in
            let geometry = FrameGeometry(info.geometry)
            let frames = firstFrameOnly ? 0..<1 : 0..<info.geometry.frames
            return try frames.map { frame in
                let record = try reader.record(at: try #require(reader.recordIndex(instance: index, frame: frame)))
                let pixels = try codec.decode(record, geometry: geometry).pixels.map { $0.littleEndian }
                return Hex.string(pixels.withUnsafeBytes { SHA256.hash($0) })
            }
        }
    }

    @Test(.enabled(if: regenerating)) func regenerate() throws {
        let work = try Fixtures.makeTemporaryDirectory("octarc-golden-decode")
        defer { try? FileManager.default.removeItem(at: work) }
        let archive = work.appendingPathComponent("archive")
        try FileManager.default.createDirectory(at: archive, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.samples.appendingPathComponent("bioptigen-subj13-12bit.dcm"),
            to: archive.appendingPathComponent("bioptigen-subj13-12bit.dcm"))
        let profile = try ProfileLibrary(folders: [Fixtures.profiles]).load(Self.profileName)
        _ = try Converter(
            codec: FrameCodec(profile: profile),
            options: .init(archive: archive, output: work.appendingPathComponent("out"), jobs: 2, quiet: true)
        ).run()
        let produced = try #require(
            FileManager.default.enumerator(at: work.appendingPathComponent("out"), includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.first { $0.pathExtension == "octz" })
        try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: Self.container)
        try FileManager.default.copyItem(at: produced, to: Self.container)
        let reader = try OctzReader(url: Self.container)
        let expectation = Expectation(
            profile: Self.profileName, profileWeightsSHA256: Hex.string(profile.weightsSHA256),
            frames: try Self.restoredHashes(reader, set: .avx512))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(expectation).write(to: Self.expectation)
    }

    @Test(.disabled(if: regenerating)) func theGoldenContainerRestoresToTheSamePixelsOnEveryInstructionSet() throws {
        let expected = try JSONDecoder().decode(Expectation.self, from: Data(contentsOf: Self.expectation))
        let reader = try OctzReader(url: Self.container)
        #expect(reader.header.profileName == expected.profile)
        #expect(
            Hex.string(reader.header.profileWeightsSHA256) == expected.profileWeightsSHA256,
            "the container names other weights than the expectation")
        let profile = try ProfileLibrary(folders: [Fixtures.profiles]).load(expected.profile)
        #expect(
            Hex.string(profile.weightsSHA256) == expected.profileWeightsSHA256,
            "the shipped \(expected.profile) has other weights than the golden container was made with")
        #expect(expected.frames.joined().count >= 5)
        for set in Network.KernelInstructionSet.supported {
            let generic = set == .generic
            let hashes = try Self.restoredHashes(reader, set: set, firstFrameOnly: generic)
            let wanted = generic ? expected.frames.map { Array($0.prefix(1)) } : expected.frames
            #expect(hashes == wanted, "decoder capped at \(set.rawValue)")
        }
    }
}
