import Codec
import DICOM
import Support

/// The Derivation Description (0008,2111) restore writes into every restored frame, and the one part
/// of it that verify reads back: the profile (name and the first 16 hex digits of its weights'
/// SHA-256) that restored the file. The text is a contract between the two commands, so it is written
/// and parsed here and nowhere else.
///
/// ```swift
/// let description = DerivationDescription(toolVersion: OctarcVersion.string, profile: profile)
/// DerivationDescription(parsing: description.text) == description   // true
/// ```
struct DerivationDescription: Equatable, Sendable {
    /// The octarc version that restored the file.
    var toolVersion: String
    var profileName: String
    /// The first ``digestPrefixLength`` lowercase hex digits of the profile weights' SHA-256.
    var weightsDigestPrefix: String

    static let digestPrefixLength = 16

    private static let lead = "Lossy compression by octarc "
    private static let profileMark = ", profile "
    private static let digestMark = " (weights SHA-256 "
    private static let digestEnd = "): "
    private static let method =
        "despeckled, retina band between ILM and Bruch's membrane coded by a learned CNN "
        + "codec, area outside the band restored as a flat background"

    init(toolVersion: String, profileName: String, weightsDigestPrefix: String) {
        self.toolVersion = toolVersion
        self.profileName = profileName
        self.weightsDigestPrefix = weightsDigestPrefix
    }

    /// The description of frames restored with `profile` by this octarc.
    init(toolVersion: String = OctarcVersion.string, profile: Profile) {
        self.init(
            toolVersion: toolVersion, profileName: profile.name,
            weightsDigestPrefix: String(Hex.string(profile.weightsSHA256).prefix(Self.digestPrefixLength)))
    }

    /// The attribute's value: what was done, by which tool and profile.
    var text: String {
        Self.lead + toolVersion + Self.profileMark + profileName + Self.digestMark + weightsDigestPrefix
            + Self.digestEnd + Self.method
    }

    /// Parses a description that `text` wrote; nil for any other text (another tool's, or a
    /// description that names no profile or whose digest is not 16 hex digits).
    init?(parsing text: String) {
        guard text.hasPrefix(Self.lead) else { return nil }
        let rest = text.dropFirst(Self.lead.count)
        guard let profile = rest.range(of: Self.profileMark),
            let digest = rest[profile.upperBound...].range(of: Self.digestMark),
            let end = rest[digest.upperBound...].range(of: Self.digestEnd)
        else { return nil }
        let version = rest[..<profile.lowerBound]
        let name = rest[profile.upperBound..<digest.lowerBound]
        let prefix = rest[digest.upperBound..<end.lowerBound]
        guard !version.isEmpty, !name.isEmpty, prefix.count == Self.digestPrefixLength,
            prefix.allSatisfy({ $0.isHexDigit && !$0.isUppercase })
        else { return nil }
        self.init(toolVersion: String(version), profileName: String(name), weightsDigestPrefix: String(prefix))
    }

    /// Whether `sha256` (32 bytes) begins with this description's digest prefix.
    func matches(weightsSHA256 sha256: [UInt8]) -> Bool {
        Hex.string(sha256).hasPrefix(weightsDigestPrefix)
    }

    /// The first octarc description among a header's Derivation Descriptions (top level and in
    /// functional groups), or nil when none is octarc's.
    static func find(in header: HeaderDataset) throws -> DerivationDescription? {
        try header.attributes().lazy.filter { $0.tag == .derivationDescription }
            .compactMap { DerivationDescription(parsing: $0.text) }.first
    }
}
