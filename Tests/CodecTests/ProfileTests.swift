import Codec
import Foundation
import TestSupport
import Testing

/// Loading and validating profiles: every committed profile loads; damaged ones are refused with a
/// message that says what is wrong.
@Suite struct ProfileTests {
    static let library = ProfileLibrary(folders: [Fixtures.profiles])

    /// A copy of profile `name` in a scratch folder, with `edit` applied to its profile.json.
    static func damagedCopy(of name: String, in folder: URL, edit: (inout [String: Any]) -> Void) throws -> URL {
        let copy = folder.appendingPathComponent(name)
        try FileManager.default.copyItem(at: Fixtures.profiles.appendingPathComponent(name), to: copy)
        let url = copy.appendingPathComponent("profile.json")
        var json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        edit(&json)
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        return copy
    }
}

extension ProfileTests {
    @Test func theShippedProfilesLoadAndNameTheirTargets() throws {
        let names = Self.library.names()
        #expect(names.contains("cr40"))
        for name in names {
            let profile = try Self.library.load(name)
            #expect(profile.name == name)
            #expect(profile.weightsSHA256.count == 32)
            #expect(profile.document.targetStoredCR > 1)
            #expect(profile.latentModels.count == profile.document.latents.count)
        }
    }

    @Test func anUnknownProfileNameSaysWhereItLooked() {
        let error = #expect(throws: CodecError.self) { try Self.library.load("cr7") }
        #expect(error?.description.contains(Fixtures.profiles.path) == true)
        #expect(throws: CodecError.self) { try Self.library.load("../cr40") }
    }

    /// Ways to damage a profile.json.
    enum Damage: String, CaseIterable, Sendable {
        case weightsChecksum, newerFormat, quantizerLevels, entropyTables

        func apply(_ json: inout [String: Any]) {
            switch self {
            case .weightsChecksum:
                var weights = json["weights"] as! [String: Any]
                weights["sha256"] = String(repeating: "0", count: 64)
                json["weights"] = weights
            case .newerFormat:
                json["format_version"] = 99
            case .quantizerLevels:
                var quantizer = json["quantizer"] as! [String: Any]
                quantizer["levels"] = 3
                json["quantizer"] = quantizer
            case .entropyTables:
                var entropy = json["entropy"] as! [String: Any]
                entropy["counts"] = [String: Any]()
                json["entropy"] = entropy
            }
        }
    }

    @Test(arguments: Damage.allCases)
    func aDamagedProfileIsRefused(_ damage: Damage) throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let copy = try Self.damagedCopy(of: "cr40", in: folder, edit: damage.apply)
        let error = #expect(throws: CodecError.self, "\(damage)") { try Profile.load(from: copy) }
        #expect(error?.description.contains(copy.path) == true)
        if damage == .weightsChecksum {
            // The integrity check lives in profile loading: the message names both digests.
            #expect(error?.description.contains(String(repeating: "0", count: 64)) == true)
        }
    }
}
