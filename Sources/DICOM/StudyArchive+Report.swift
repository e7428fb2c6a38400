import Foundation

extension StudyArchive {
    /// What `octarc inspect` prints: one entry per series and one per skipped file.
    public struct Report: Codable, Equatable, Sendable {
        public struct Series: Codable, Equatable, Sendable {
            public var patientID: String
            public var studyInstanceUID: String
            public var seriesInstanceUID: String
            public var sopClassUID: String
            public var instances: Int
            public var frames: Int
            public var rows: Int
            public var columns: Int
            public var bitsAllocated: Int
            public var bitsStored: Int
            public var transferSyntaxUIDs: [String]
            public var bytes: Int
            public var files: [String]
        }

        public struct Skipped: Codable, Equatable, Sendable {
            public var path: String
            public var kind: DICOMError.Kind
            public var reason: String
        }

        public var series: [Series]
        public var skipped: [Skipped]
    }

    /// The archive as a report.
    public var report: Report {
        Report(
            series: series.map { series in
                let first = series.instances[0]
                return Report.Series(
                    patientID: series.patientID, studyInstanceUID: series.studyInstanceUID,
                    seriesInstanceUID: series.seriesInstanceUID, sopClassUID: first.sopClassUID,
                    instances: series.instances.count, frames: series.frameCount, rows: first.geometry.rows,
                    columns: first.geometry.columns, bitsAllocated: first.geometry.bitsAllocated,
                    bitsStored: first.geometry.bitsStored,
                    transferSyntaxUIDs: Array(Set(series.instances.map(\.transferSyntaxUID))).sorted(),
                    bytes: series.byteCount, files: series.instances.map(\.url.path))
            },
            skipped: skipped.map { Report.Skipped(path: $0.url.path, kind: $0.error.kind, reason: $0.reason) })
    }

    /// The report as JSON (keys sorted, pretty-printed).
    public func reportJSON() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(report)
    }
}
