import Codec
import EntropyCoding
import Foundation
import Preprocessing
import TestSupport
import Testing

/// Profiles that code with neighbour-context tables (profile format 2, bitstream version 2), against the
/// per-channel profile they share their networks with: the same pixels back, fewer bytes; and the ways a
/// context profile can be damaged.
@Suite struct ContextProfileTests {
    static let library = ProfileLibrary(folders: [Fixtures.profiles])
    /// (per-channel profile, context profile with the same network weights).
    static let twins = [("cr40a", "cr50c")]
}

extension ContextProfileTests {
    @Test(arguments: twins)
    func contextTablesCodeTheSameLatentsInFewerBytes(perChannel: String, contextual: String) throws {
        let plain = try Self.library.load(perChannel)
        let context = try Self.library.load(contextual)
        #expect(plain.latentModels.allSatisfy { if case .perChannel = $0 { true } else { false } })
        #expect(context.latentModels.allSatisfy { if case .context = $0 { true } else { false } })
        #expect(context.document.formatVersion == 2)
        var plainBytes = 0
        var contextBytes = 0
        for index in [2, 9] {
            let band = try BandCodingTests.band(index, preprocessor: context.preprocessor).band
            let a = try plain.encode(band)
            let b = try context.encode(band)
            #expect(a.symbolCount == b.symbolCount)
            plainBytes += a.bitstream.count
            contextBytes += b.bitstream.count
            // Same networks, same symbols: the decoded pixels are identical.
            #expect(
                try context.decode(b.bitstream, width: band.width, height: band.height)
                    == plain.decode(a.bitstream, width: band.width, height: band.height))
            // A context stream is not a per-channel stream of the same symbols.
            #expect(b.bitstream != a.bitstream)
        }
        #expect(
            Double(contextBytes) < 0.95 * Double(plainBytes),
            "\(contextual) \(contextBytes) B, \(perChannel) \(plainBytes) B")
    }

    /// A copy of `name` with `edit` applied to its profile.json.
    static func edited(_ name: String, in folder: URL, edit: (inout [String: Any]) -> Void) throws -> URL {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try ProfileTests.damagedCopy(of: name, in: folder, edit: edit)
    }

    @Test func contextWithoutFormatTwoOrTablesIsRefused() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let contextual = Self.twins[0].1
        // Format 1 with a context: an older octarc must not be able to read it as version 1.
        let downgraded = try Self.edited(contextual, in: folder.appendingPathComponent("a")) {
            $0["format_version"] = 1
        }
        #expect(throws: CodecError.self) { try Profile.load(from: downgraded) }
        // Format 2 without a context.
        let stripped = try Self.edited(contextual, in: folder.appendingPathComponent("b")) { json in
            var entropy = json["entropy"] as! [String: Any]
            entropy["context"] = nil
            json["entropy"] = entropy
        }
        #expect(throws: CodecError.self) { try Profile.load(from: stripped) }
        // A per-channel profile's weights have no context tensors.
        let missing = try Self.edited("cr40a", in: folder.appendingPathComponent("c")) { json in
            json["format_version"] = 2
            var entropy = json["entropy"] as! [String: Any]
            entropy["context"] = "neighbours-v1"
            json["entropy"] = entropy
        }
        let error = #expect(throws: CodecError.self) { try Profile.load(from: missing) }
        #expect(error?.description.contains("entropy.z0") == true)
    }
}
