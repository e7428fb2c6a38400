/// Why a DICOM file could not be read or written. The description names the file, and the frame
/// where one is concerned:
///
/// ```
/// unsupported transfer syntax 1.2.840.10008.1.2.4.90 (JPEG 2000 Lossless) in /data/a.dcm
/// Pixel Data holds 2304 bytes, fewer than 4 frames x 768 bytes in /data/b.dcm
/// cannot decode: JPEG-LS decoder failed in /data/c.dcm, frame 3 of 16
/// ```
public struct DICOMError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The kinds of failure, each with its own message.
    public enum Kind: String, Sendable, Codable {
        /// The file cannot be opened or read.
        case unreadable
        /// The file is not DICOM (no `DICM` prefix, not a bare data set).
        case notDICOM
        /// The file ends inside an attribute.
        case truncated
        /// DCMTK cannot parse the data set.
        case corrupt
        /// A DICOMDIR: an index of the archive, not an image.
        case directoryIndex
        /// A DICOM instance of another SOP class than Ophthalmic Tomography Image Storage.
        case notOCT
        /// A transfer syntax this reader does not decode.
        case unsupportedTransferSyntax
        /// A pixel format this reader does not handle (photometric, sign, bit depth, samples).
        case unsupportedPixelFormat
        /// A required attribute is absent or empty.
        case missingAttribute
        /// Number of Frames is 0.
        case noFrames
        /// Native Pixel Data is shorter than Number of Frames x frame size, or encapsulated Pixel
        /// Data has fewer fragments than frames.
        case shortPixelData
        /// The SOP Instance UID was already seen in another file of the same scan.
        case duplicateInstance
        /// A frame index outside 0..<numberOfFrames.
        case frameOutOfRange
        /// A frame cannot be decoded.
        case decodeFailed
        /// Frames or arguments handed to the writer do not fit the header.
        case invalidArgument
        /// The output cannot be written.
        case writeFailed
        /// Not a regular file (named pipe, socket, device): listed, never opened.
        case specialFile
        /// A symbolic link whose target does not exist.
        case danglingLink
        /// A file whose name is not valid UTF-8, which octarc cannot name in its outputs.
        case undecodableName
        /// A lossy derivative (a restored copy) of an instance already in the same series.
        case derivedCopy
        /// A folder that another octarc convert writes its output to.
        case octarcOutput
    }

    public let kind: Kind
    /// The file concerned (a path, or a label such as "header data set").
    public let file: String
    /// The 0-based frame concerned, if any.
    public let frame: Int?
    /// The number of frames of the instance, when `frame` is set.
    public let frameCount: Int?
    /// What went wrong, without the file name.
    public let reason: String

    public init(_ kind: Kind, _ reason: String, file: String, frame: Int? = nil, frameCount: Int? = nil) {
        self.kind = kind
        self.reason = reason
        self.file = file
        self.frame = frame
        self.frameCount = frameCount
    }

    public var description: String {
        var text = "\(reason) in \(file)"
        if let frame {
            text += ", frame \(frame + 1)"
            if let frameCount { text += " of \(frameCount)" }
        }
        return text
    }
}
