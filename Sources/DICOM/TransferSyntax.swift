/// The transfer syntaxes whose Pixel Data this reader decodes (through DCMTK), with short names
/// for reports.
public enum TransferSyntax {
    public static let implicitVRLittleEndian = "1.2.840.10008.1.2"
    public static let explicitVRLittleEndian = "1.2.840.10008.1.2.1"
    public static let deflatedExplicitVRLittleEndian = "1.2.840.10008.1.2.1.99"
    public static let jpegBaseline = "1.2.840.10008.1.2.4.50"
    public static let jpegExtended = "1.2.840.10008.1.2.4.51"
    public static let jpegLossless = "1.2.840.10008.1.2.4.57"
    public static let jpegLosslessSV1 = "1.2.840.10008.1.2.4.70"
    public static let jpegLSLossless = "1.2.840.10008.1.2.4.80"
    public static let jpegLSNearLossless = "1.2.840.10008.1.2.4.81"
    public static let rleLossless = "1.2.840.10008.1.2.5"

    /// Short names of the supported transfer syntaxes, by UID.
    public static let supported: [String: String] = [
        implicitVRLittleEndian: "Implicit VR LE",
        explicitVRLittleEndian: "Explicit VR LE",
        deflatedExplicitVRLittleEndian: "Deflated Explicit VR LE",
        jpegBaseline: "JPEG Baseline",
        jpegExtended: "JPEG Extended",
        jpegLossless: "JPEG Lossless",
        jpegLosslessSV1: "JPEG Lossless SV1",
        jpegLSLossless: "JPEG-LS Lossless",
        jpegLSNearLossless: "JPEG-LS Near-Lossless",
        rleLossless: "RLE Lossless",
    ]

    /// Whether frames in `uid` can be decoded.
    public static func isSupported(_ uid: String) -> Bool { supported[uid] != nil }

    /// A short name for `uid`: the table above, else DCMTK's name, else the UID itself.
    public static func name(_ uid: String) -> String {
        supported[uid] ?? DICOMUID.name(of: uid) ?? uid
    }
}
