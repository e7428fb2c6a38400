/// The tool's version: what `octarc --version` prints and what every container, manifest and
/// restored DICOM file records (Archive writes it; the CLI shows it).
public enum OctarcVersion {
    public static let string = "0.1.0"
}
