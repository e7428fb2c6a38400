import Foundation

/// One readable OCT DICOM instance (Ophthalmic Tomography Image Storage): where it is, its
/// identity, and the layout of its frames. Reading a frame or the header goes back to the file,
/// so an instance is a small value that may be shared between threads.
public struct OCTInstance: Equatable, Sendable {
    public let url: URL
    /// Size of the file, in bytes.
    public let fileSize: Int
    public let patientID: String
    public let studyInstanceUID: String
    public let seriesInstanceUID: String
    public let sopInstanceUID: String
    public let sopClassUID: String
    public let transferSyntaxUID: String
    /// Instance Number (0020,0013), which orders the instances of a series.
    public let instanceNumber: Int?
    public let geometry: FrameGeometry
    /// For a derived image this reader's writer made: the SOP Instance UID of the uncompressed
    /// predecessor it references (Derivation Image functional group, purpose 121320).
    public let sourceSOPInstanceUID: String?

    /// Reads the header of the file at `url` and checks that its frames can be read: an OCT SOP
    /// class, a supported transfer syntax and pixel format, and Pixel Data for every frame.
    public static func open(_ url: URL) throws(DICOMError) -> OCTInstance {
        // stat(2), not lstat: the size of a symbolic link's target.
        guard let status = StudyArchive.Walk.status(url.path) else {
            throw DICOMError(.unreadable, "cannot read the file: \(String(cString: strerror(errno)))", file: url.path)
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw DICOMError(.specialFile, "not a regular file; not opened", file: url.path)
        }
        let fileSize = Int(status.st_size)
        let object = try DCMTKObject.open(url)
        let mediaClass = object.string(.mediaStorageSOPClassUID)
        if mediaClass == mediaStorageDirectory {
            throw DICOMError(.directoryIndex, "DICOMDIR (an index of the archive, not an image)", file: url.path)
        }
        guard let sopClass = object.string(.sopClassUID) ?? mediaClass, !sopClass.isEmpty else {
            throw DICOMError(.missingAttribute, "no SOP Class UID \(DICOMTag.sopClassUID)", file: url.path)
        }
        guard sopClass == DICOMUID.ophthalmicTomographyImageStorage else {
            let name = DICOMUID.name(of: sopClass).map { " (\($0))" } ?? ""
            throw DICOMError(.notOCT, "not an OCT instance: SOP class \(sopClass)\(name)", file: url.path)
        }
        // A bare data set (no file meta information) is read as Implicit VR Little Endian.
        let transferSyntax = object.string(.transferSyntaxUID) ?? TransferSyntax.implicitVRLittleEndian
        guard TransferSyntax.isSupported(transferSyntax) else {
            throw DICOMError(
                .unsupportedTransferSyntax, "unsupported transfer syntax \(transferSyntax)",
                file: url.path)
        }
        func uid(_ tag: DICOMTag, _ name: String) throws(DICOMError) -> String {
            guard let value = object.string(tag), !value.isEmpty else {
                throw DICOMError(.missingAttribute, "no \(name) \(tag)", file: url.path)
            }
            return value
        }
        let study = try uid(.studyInstanceUID, "Study Instance UID")
        let series = try uid(.seriesInstanceUID, "Series Instance UID")
        let instance = try uid(.sopInstanceUID, "SOP Instance UID")
        let geometry = try FrameGeometry.read(object)
        try checkPixelData(object, geometry)
        return OCTInstance(
            url: url, fileSize: fileSize, patientID: object.string(.patientID) ?? "",
            studyInstanceUID: study, seriesInstanceUID: series, sopInstanceUID: instance, sopClassUID: sopClass,
            transferSyntaxUID: transferSyntax, instanceNumber: object.integer(.instanceNumber), geometry: geometry,
            sourceSOPInstanceUID: object.derivationSource)
    }

    /// The header data set: every attribute but Pixel Data (private ones included) and the file
    /// meta information, from which the data set can be re-created exactly.
    public func headerDataset() throws(DICOMError) -> HeaderDataset {
        HeaderDataset(validated: try DCMTKObject.open(url).headerBytes())
    }

    private static let mediaStorageDirectory = "1.2.840.10008.1.3.10"

    /// Pixel Data must hold every frame: native data `numberOfFrames` x frame size bytes,
    /// encapsulated data at least one fragment per frame.
    private static func checkPixelData(_ object: DCMTKObject, _ geometry: FrameGeometry) throws(DICOMError) {
        let info = object.pixelData
        guard info.present != 0 else {
            throw DICOMError(.missingAttribute, "no Pixel Data \(DICOMTag.pixelData)", file: object.label)
        }
        if info.encapsulated != 0 {
            guard info.fragments >= geometry.numberOfFrames else {
                throw DICOMError(
                    .shortPixelData,
                    "Pixel Data holds \(info.fragments) fragments, "
                        + "fewer than \(geometry.numberOfFrames) frames", file: object.label)
            }
        } else {
            let needed = UInt64(geometry.numberOfFrames) * UInt64(geometry.frameByteCount)
            guard info.length >= needed else {
                throw DICOMError(
                    .shortPixelData,
                    "Pixel Data holds \(info.length) bytes, fewer than "
                        + "\(geometry.numberOfFrames) frames x \(geometry.frameByteCount) bytes",
                    file: object.label)
            }
        }
    }
}
