import DICOM
import Foundation

extension StudyArchive.Report {
    /// What `octarc inspect` prints: a table with one line per series, then one line per skipped
    /// file, then a summary line.
    func table() -> String {
        let header = [
            "PATIENT", "STUDY", "SERIES", "SOP", "INST", "FRAMES", "SIZE", "BITS", "TRANSFER SYNTAX", "BYTES",
        ]
        let rows = series.map { series -> [String] in
            [
                series.patientID.isEmpty ? "-" : series.patientID, Self.short(series.studyInstanceUID),
                Self.short(series.seriesInstanceUID),
                series.sopClassUID == DICOMUID.ophthalmicTomographyImageStorage ? "OPT" : series.sopClassUID,
                String(series.instances), String(series.frames), "\(series.rows)x\(series.columns)",
                String(series.bitsStored), series.transferSyntaxUIDs.map(TransferSyntax.name).joined(separator: ", "),
                Self.byteText(series.bytes),
            ]
        }
        var lines: [String] = []
        if !rows.isEmpty {
            let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
            let numeric: Set<Int> = [4, 5, 7, 9]
            for row in [header] + rows {
                lines.append(
                    row.indices.map { column in
                        let padding = String(repeating: " ", count: widths[column] - row[column].count)
                        return numeric.contains(column) ? padding + row[column] : row[column] + padding
                    }.joined(separator: "  ").trimmingCharacters(in: .whitespaces))
            }
        }
        for file in skipped {
            lines.append("skipped \(file.path): \(file.reason)")
        }
        let instances = series.reduce(0) { $0 + $1.instances }
        let frames = series.reduce(0) { $0 + $1.frames }
        func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }
        lines.append(
            "\(series.count) series, \(count(instances, "instance")), \(count(frames, "frame")); "
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
