import Foundation

/// The OCT instances of one series (same Study and Series Instance UID), ordered by Instance
/// Number, then file path.
public struct OCTSeries: Equatable, Sendable {
    public let studyInstanceUID: String
    public let seriesInstanceUID: String
    public let patientID: String
    public var instances: [OCTInstance]

    public init(studyInstanceUID: String, seriesInstanceUID: String, patientID: String, instances: [OCTInstance]) {
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.patientID = patientID
        self.instances = instances
    }

    /// Frames of all instances together.
    public var frameCount: Int { instances.reduce(0) { $0 + $1.geometry.numberOfFrames } }

    /// Bytes of all files together.
    public var byteCount: Int { instances.reduce(0) { $0 + $1.fileSize } }
}

/// A file a scan could not use, and why.
public struct SkippedFile: Equatable, Sendable {
    public let url: URL
    public let error: DICOMError

    public init(url: URL, error: DICOMError) {
        self.url = url
        self.error = error
    }

    /// Why the file was skipped, without its name.
    public var reason: String { error.reason }
}
