import Support

/// The profile of restored DICOM, found from its Derivation Description.
extension ProfileCache {
    /// The codec for the profile that restored `file`, as its Derivation Description names it; refuses
    /// an installed profile of that name whose weights differ (the description records the first 16 hex
    /// digits of their SHA-256), as `codec(for:)` does for containers.
    func codec(for description: DerivationDescription, file: String) throws -> FrameCodec {
        let codec = try codec(named: description.profileName)
        guard description.matches(weightsSHA256: codec.profile.weightsSHA256) else {
            throw ArchiveError.profileMismatch(
                file: file, name: description.profileName,
                containerSHA256: description.weightsDigestPrefix,
                installedSHA256: Hex.string(codec.profile.weightsSHA256))
        }
        return codec
    }
}
