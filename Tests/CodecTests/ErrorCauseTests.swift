import Codec
import EntropyCoding
import Foundation
import Neural
import Support
import TestSupport
import Testing

/// Codec errors keep the lower layer's error they were made from (`underlying`), with the same message
/// as before, and no raw framework error text.
@Suite struct ErrorCauseTests {}

extension ErrorCauseTests {
    @Test func anUnreadableProfileKeepsTheFileSystemsError() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let error = #expect(throws: CodecError.self) { try Profile.load(from: folder.appendingPathComponent("none")) }
        #expect(error?.underlying != nil)
        #expect(error?.description.contains(folder.appendingPathComponent("none").path) == true)
        #expect(error?.description.contains("cannot read profile.json") == true)
        #expect(error?.description.contains("NSCocoaErrorDomain") == false)
    }

    @Test func profileJSONThatDoesNotParseKeepsTheDecodingError() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = try ProfileTests.damagedCopy(of: "cr40", in: folder) { $0["latents"] = "none" }
        let error = #expect(throws: CodecError.self) { try Profile.load(from: copy) }
        #expect(error?.underlying is DecodingError)
        #expect(error?.description.hasPrefix("invalid profile \(copy.path): profile.json does not parse") == true)
    }

    @Test func damagedWeightsKeepTheReadersError() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = try ProfileTests.damagedCopy(of: "cr40", in: folder) { _ in }
        let weights = copy.appendingPathComponent("weights.safetensors")
        let truncated = try Data(contentsOf: weights).prefix(1000)
        try truncated.write(to: weights)
        let digest = Hex.string(SHA256.hash(truncated))
        var json =
            try JSONSerialization.jsonObject(with: Data(contentsOf: copy.appendingPathComponent("profile.json")))
            as! [String: Any]
        var entry = json["weights"] as! [String: Any]
        entry["sha256"] = digest
        json["weights"] = entry
        try JSONSerialization.data(withJSONObject: json).write(to: copy.appendingPathComponent("profile.json"))
        let error = #expect(throws: CodecError.self) { try Profile.load(from: copy) }
        guard case .invalidWeights(let file, _, _)? = error?.underlying as? NeuralError else {
            Issue.record("expected the safetensors reader's error, got \(String(describing: error?.underlying))")
            return
        }
        #expect(file == weights.path)
    }

    @Test func aCorruptBitstreamKeepsTheEntropyDecodersError() throws {
        let profile = try ProfileLibrary(folders: [Fixtures.profiles]).load("cr40")
        let band = try BandCodingTests.band(0).band
        let coded = try profile.encode(band)
        let error = #expect(throws: CodecError.self) {
            try profile.decode(Array(coded.bitstream.dropLast(3)), width: band.width, height: band.height)
        }
        #expect(error?.underlying is EntropyCodingError)
        #expect(error?.description.hasPrefix("corrupt bitstream: ") == true)
    }

    @Test func aNonHexWeightsDigestNamesTheProfileNotTheDigest() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = String(repeating: "zz", count: 32)
        let copy = try ProfileTests.damagedCopy(of: "cr40", in: folder) { json in
            var weights = json["weights"] as! [String: Any]
            weights["sha256"] = bad
            json["weights"] = weights
        }
        let error = #expect(throws: CodecError.self) { try Profile.load(from: copy) }
        #expect(error == .invalidProfile(path: copy.path, reason: "weights.sha256 must be 64 hex digits"))
    }
}
