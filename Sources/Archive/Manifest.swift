import Foundation

/// What a convert run did, written as `manifest.json` in the output folder after every series (so
/// an interrupted run leaves a manifest of what is complete) and read back to resume.
public struct Manifest: Codable, Sendable {
    public static let fileName = "manifest.json"

    public struct Profile: Codable, Sendable, Equatable {
        public var name: String
        public var weightsSHA256: String

        enum CodingKeys: String, CodingKey {
            case name
            case weightsSHA256 = "weights_sha256"
        }
    }

    /// An input file: path relative to the archive, size and SHA-256.
    public struct InputFile: Codable, Sendable, Equatable {
        public var path: String
        public var bytes: Int
        public var sha256: String
        public var sopInstanceUID: String
        public var frames: Int

        enum CodingKeys: String, CodingKey {
            case path, bytes, sha256, frames
            case sopInstanceUID = "sop_instance_uid"
        }
    }

    /// One converted series.
    public struct Series: Codable, Sendable {
        public var studyInstanceUID: String
        public var seriesInstanceUID: String
        public var patientID: String
        public var inputs: [InputFile]
        /// The container, relative to the output folder.
        public var output: String
        public var outputBytes: Int
        public var outputSHA256: String
        public var frames: Int
        /// Bytes of the original Pixel Data, uncompressed.
        public var originalPixelBytes: Int
        /// `originalPixelBytes` / `outputBytes`: the storage saving, everything counted.
        public var storedCR: Double
        /// Where the container's bytes go.
        public var bytesByCategory: [String: Int]
        public var seconds: Double
        /// The archive `inputs` are relative to, when it is not the manifest's `archive` (a series
        /// kept from an earlier run over another archive).
        public var archive: String? = nil
        /// The profile the container was written with, when it is not the manifest's `profile`.
        public var profile: Profile? = nil

        enum CodingKeys: String, CodingKey {
            case inputs, output, frames, seconds, archive, profile
            case studyInstanceUID = "study_instance_uid"
            case seriesInstanceUID = "series_instance_uid"
            case patientID = "patient_id"
            case outputBytes = "output_bytes"
            case outputSHA256 = "output_sha256"
            case originalPixelBytes = "original_pixel_bytes"
            case storedCR = "stored_cr"
            case bytesByCategory = "bytes_by_category"
        }
    }

    /// An input that was not converted, and why.
    public struct Skipped: Codable, Sendable, Equatable {
        public var path: String
        public var reason: String
        /// True when the input is bad (corrupt, truncated, unsupported OCT), false when it is simply
        /// not OCT DICOM (another modality, not DICOM at all).
        public var failed: Bool
        /// Where `--copy-other` copied it, relative to the output folder.
        public var copiedTo: String?

        enum CodingKeys: String, CodingKey {
            case path, reason, failed
            case copiedTo = "copied_to"
        }
    }

    /// A series that did not convert in this run, and why (its earlier container, if any, is kept).
    public struct Failure: Codable, Sendable, Equatable {
        public var studyInstanceUID: String
        public var seriesInstanceUID: String
        public var reason: String

        public init(studyInstanceUID: String, seriesInstanceUID: String, reason: String) {
            self.studyInstanceUID = studyInstanceUID
            self.seriesInstanceUID = seriesInstanceUID
            self.reason = reason
        }

        enum CodingKeys: String, CodingKey {
            case reason
            case studyInstanceUID = "study_instance_uid"
            case seriesInstanceUID = "series_instance_uid"
        }
    }

    public var tool: String
    public var archive: String
    public var profile: Profile
    public var series: [Series]
    public var skipped: [Skipped]
    /// Series that failed in the run that wrote this manifest (absent in manifests of older versions).
    public var failed: [Failure]? = nil
    public var seconds: Double
    /// Where the inputs came from when they were read from a DICOM node (`convert --from`).
    public var source: ManifestSource?

    /// Reads `manifest.json` from `folder`, or nil if there is none or it does not parse.
    public static func read(from folder: URL) -> Manifest? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(fileName)) else { return nil }
        return try? JSONDecoder().decode(Manifest.self, from: data)
    }

    /// Writes `manifest.json` into `folder` atomically.
    public func write(to folder: URL) throws {
        try write(file: folder.appendingPathComponent(Self.fileName))
    }

    /// Writes the manifest to `url` atomically (temporary name, then rename).
    public func write(file url: URL) throws {
        do {
            try json().write(to: url, options: .atomic)
        } catch {
            throw ArchiveError.writeFailed(path: url.path, reason: FileErrorText.describe(error))
        }
    }

    /// The manifest as written to `manifest.json`.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }

    /// The series' profile: its own, or the manifest's.
    public func profile(of series: Series) -> Profile { series.profile ?? profile }

    /// The archive the series' inputs are relative to: its own, or the manifest's.
    public func archive(of series: Series) -> String { series.archive ?? archive }
}
