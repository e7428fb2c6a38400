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

    /// The report as text: a table with one line per series, then one line per skipped file,
    /// then a summary line.
    public func reportText() -> String {
        let header = ["PATIENT", "STUDY", "SERIES", "SOP", "INST", "FRAMES", "SIZE", "BITS", "TRANSFER SYNTAX", "BYTES"]
        let rows = report.series.map { series -> [String] in
            [series.patientID.isEmpty ? "-" : series.patientID, Self.short(series.studyInstanceUID),
             Self.short(series.seriesInstanceUID),
             series.sopClassUID == DICOMUID.ophthalmicTomographyImageStorage ? "OPT" : series.sopClassUID,
             String(series.instances), String(series.frames), "\(series.rows)x\(series.columns)",
             String(series.bitsStored), series.transferSyntaxUIDs.map(TransferSyntax.name).joined(separator: ", "),
             Self.byteText(series.bytes)]
        }
        var lines: [String] = []
        if !rows.isEmpty {
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            let numeric: Set<Int> = [4, 5, 7, 9]
            for row in [header] + rows {
                lines.append(row.indices.map { column in
                    let padding = String(repeating: " ", count: widths[column] - row[column].count)
                    return numeric.contains(column) ? padding + row[column] : row[column] + padding
                }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
        }
        for file in skipped {
            lines.append("skipped \(file.url.path): \(file.reason)")
        }
        let frames = series.reduce(0) { $0 + $1.frameCount }
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        lines.append("\(series.count) series, \(count(instances.count, "instance")), \(count(frames, "frame")); "
                     + "\(count(skipped.count, "file")) skipped")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The last 8 characters of a UID, after an ellipsis.
    static func short(_ uid: String) -> String {
        uid.count <= 9 ? uid : "…" + uid.suffix(8)
    }

    static func byteText(_ bytes: Int) -> String {
        switch bytes {
        case ..<1_000: "\(bytes) B"
        case ..<1_000_000: String(format: "%.1f kB", Double(bytes) / 1e3)
        case ..<1_000_000_000: String(format: "%.1f MB", Double(bytes) / 1e6)
        default: String(format: "%.2f GB", Double(bytes) / 1e9)
        }
    }
}
