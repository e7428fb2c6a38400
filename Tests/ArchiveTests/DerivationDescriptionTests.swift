import Codec
import DICOM
import Foundation
import Support
import TestSupport
import Testing

@testable import Archive

/// The Derivation Description is the contract between restore (which writes it) and verify (which
/// reads the profile back from it): one type writes and parses it.
@Suite struct DerivationDescriptionTests {
    static let library = ProfileLibrary(folders: [Fixtures.profiles])

    static func digestPrefix(_ profile: Profile) -> String {
        String(profile.weightsSHA256.map { String(format: "%02x", $0) }.joined().prefix(16))
    }
}

extension DerivationDescriptionTests {
    @Test func theTextRestoreWritesParsesBackToTheSameProfile() throws {
        let profile = try Self.library.load("cr40")
        let description = DerivationDescription(profile: profile)
        #expect(description.profileName == "cr40")
        #expect(description.toolVersion == OctarcVersion.string)
        #expect(description.weightsDigestPrefix == Self.digestPrefix(profile))
        #expect(
            description.text.hasPrefix(
                "Lossy compression by octarc \(OctarcVersion.string), profile cr40 "
                    + "(weights SHA-256 \(Self.digestPrefix(profile))): despeckled"))
        #expect(DerivationDescription(parsing: description.text) == description)
        #expect(description.matches(weightsSHA256: profile.weightsSHA256))
        #expect(!description.matches(weightsSHA256: [UInt8](repeating: 0, count: 32)))
    }

    @Test(arguments: [("0.1.0", "cr40"), ("1.2.3-dev+abc", "my profile, v2 (beta)"), ("9", "x")])
    func unusualNamesAndVersionsRoundTrip(_ version: String, _ name: String) {
        let description = DerivationDescription(
            toolVersion: version, profileName: name,
            weightsDigestPrefix: "0123456789abcdef")
        #expect(DerivationDescription(parsing: description.text) == description)
    }

    @Test func otherTextsAreNotOctarcsDescription() {
        let valid = DerivationDescription(
            toolVersion: "0.1.0", profileName: "cr40", weightsDigestPrefix: "0123456789abcdef"
        ).text
        let others = [
            "", "octarc test restore", "Lossy compression by JPEG 2000, profile cr40",
            valid.replacingOccurrences(of: "0123456789abcdef", with: "0123456789ABCDEF"),
            valid.replacingOccurrences(of: "0123456789abcdef", with: "0123456789abcde"),
            valid.replacingOccurrences(of: "0123456789abcdef", with: "0123456789abcdeg"),
            valid.replacingOccurrences(of: ", profile cr40", with: ", profile "),
            valid.replacingOccurrences(of: ", profile cr40", with: " cr40"),
            String(valid.prefix(60)),
        ]
        for text in others {
            #expect(DerivationDescription(parsing: text) == nil, "\(text)")
        }
    }

    @Test func verifyFindsTheProfileInARestoredFile() throws {
        let directory = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try OCTInstance.open(Fixtures.testData.appendingPathComponent("dicom/tiny-opt.dcm"))
        let frames = try (0..<source.geometry.numberOfFrames).map { try source.frame($0) }
        let description = DerivationDescription(
            toolVersion: "0.1.0", profileName: "cr40", weightsDigestPrefix: "0123456789abcdef")
        func restored(_ text: String, _ name: String) throws -> OCTInstance {
            let url = directory.appendingPathComponent(name)
            let derivation = Derivation(
                description: text, compressionRatio: 40, compressionMethod: Restorer.compressionMethod)
            _ = try DerivedInstanceWriter(uidRoot: "1.2.826.0.1.3680043.10.1")
                .write(header: source.headerDataset(), frames: frames, derivation: derivation, to: url)
            return try OCTInstance.open(url)
        }
        let octarc = try restored(description.text, "octarc.dcm")
        #expect(try Verifier.derivation(in: octarc.headerDataset(), file: octarc.url.path) == description)

        let other = try restored("Lossy compression by another tool, profile cr40", "other.dcm")
        let error = #expect(throws: ArchiveError.self) {
            try Verifier.derivation(in: other.headerDataset(), file: other.url.path)
        }
        #expect(error?.description.contains(other.url.path) == true)
        #expect(error?.description.contains("pass --profile") == true)
    }

    @Test func theProfileCacheChecksTheWeightsTheDescriptionRecords() throws {
        let cache = ProfileCache(library: Self.library)
        let profile = try Self.library.load("cr40")
        let matching = DerivationDescription(
            toolVersion: "0.1.0", profileName: "cr40",
            weightsDigestPrefix: Self.digestPrefix(profile))
        let codec = try cache.codec(for: matching, file: "restored.dcm")
        #expect(codec.profile.weightsSHA256 == profile.weightsSHA256)
        #expect(try cache.codec(named: "cr40").profile === codec.profile)  // loaded once per name

        var other = matching
        other.weightsDigestPrefix = "0000000000000000"
        let error = #expect(throws: ArchiveError.self) { try cache.codec(for: other, file: "restored.dcm") }
        guard case .profileMismatch(let file, let name, let recorded, let installed)? = error else {
            Issue.record("expected a profile mismatch, got \(String(describing: error))")
            return
        }
        #expect(file == "restored.dcm" && name == "cr40" && recorded == "0000000000000000")
        #expect(installed.hasPrefix(Self.digestPrefix(profile)))
    }
}
