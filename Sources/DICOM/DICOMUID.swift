import CDCMTK
import Foundation

/// UID helpers: well-known names and new unique UIDs.
public enum DICOMUID {
    /// Ophthalmic Tomography Image Storage, the SOP class this reader accepts.
    public static let ophthalmicTomographyImageStorage = "1.2.840.10008.5.1.4.1.1.77.1.5.4"
    /// The root for UUID-derived UIDs (PS3.5 B.2), needing no registration.
    public static let uuidRoot = "2.25"

    /// DCMTK's name for a well-known UID, e.g. "CTImageStorage", or nil.
    public static func name(of uid: String) -> String? {
        cdcm_uid_name(uid).map { String(cString: $0) }
    }

    /// Whether `text` is a valid UID (digits and dots, no empty or zero-led component, <= 64 chars).
    public static func isValid(_ text: String) -> Bool {
        guard !text.isEmpty, text.count <= 64 else { return false }
        return text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { component in
            !component.isEmpty && component.allSatisfy(\.isASCII) && component.allSatisfy(\.isNumber)
                && (component == "0" || component.first != "0")
        }
    }

    /// A new unique UID under `root`: `root` followed by the decimal digits of a random UUID,
    /// cut to 64 characters. With the default root this is the UUID-derived form of PS3.5 B.2.
    /// `root` must be a valid UID of at most 40 characters, so at least 23 random digits follow.
    public static func generate(root: String = uuidRoot) -> String {
        precondition(isValid(root) && root.count <= 40, "invalid UID root \(root)")
        let digits = decimal(UUID().uuid)
        return String((root + "." + digits).prefix(64))
    }

    /// A UID under `root` that is a function of `digest` (at least 16 bytes of a cryptographic hash
    /// of whatever identifies the object): the same object always gets the same UID. The first 16
    /// bytes become a custom (version 8) UUID, so with the default root this is the UUID-derived form
    /// of PS3.5 B.2.
    public static func derived(root: String = uuidRoot, digest: [UInt8]) -> String {
        precondition(isValid(root) && root.count <= 40, "invalid UID root \(root)")
        precondition(digest.count >= 16, "derived UIDs need 16 bytes of digest")
        var bytes = Array(digest.prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return String((root + "." + decimal(bytes)).prefix(64))
    }

    private static func decimal(_ uuid: uuid_t) -> String {
        decimal(withUnsafeBytes(of: uuid) { Array($0) })
    }

    /// The decimal digits of a big-endian number.
    private static func decimal(_ bytes: [UInt8]) -> String {
        var words = bytes.map { UInt32($0) }
        var digits: [Character] = []
        while words.contains(where: { $0 != 0 }) {
            var remainder: UInt32 = 0
            for index in words.indices {
                let value = remainder << 8 | words[index]
                words[index] = value / 10
                remainder = value % 10
            }
            digits.append(Character(String(remainder)))
        }
        return digits.isEmpty ? "0" : String(digits.reversed())
    }
}
