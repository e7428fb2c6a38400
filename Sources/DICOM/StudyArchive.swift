import Dispatch
import Foundation
import Support

/// A study archive: folder trees of DICOM files with any names, scanned into OCT series. Files
/// that are not readable OCT instances (other SOP classes, DICOMDIR, damaged or unsupported
/// files) are listed in `skipped` with the reason.
///
/// ```swift
/// let archive = StudyArchive.scan(URL(fileURLWithPath: "Samples"))
/// for series in archive.series { print(series.patientID, series.frameCount) }
/// ```
public struct StudyArchive: Sendable {
    /// Series ordered by patient ID, Study and Series Instance UID.
    public var series: [OCTSeries]
    /// Unusable files, ordered by path.
    public var skipped: [SkippedFile]

    public init(series: [OCTSeries], skipped: [SkippedFile]) {
        self.series = series
        self.skipped = skipped
    }

    /// Every instance of every series.
    public var instances: [OCTInstance] { series.flatMap(\.instances) }

    /// Scans `root`, a folder (searched recursively) or a single file.
    public static func scan(_ root: URL) -> StudyArchive { scan([root]) }

    /// Scans each of `roots` (folders, searched recursively, or files); headers are read in
    /// parallel. A SOP Instance UID seen twice is kept once, from the first path in order.
    public static func scan(_ roots: [URL]) -> StudyArchive {
        var skipped: [SkippedFile] = []
        var files: [URL] = []
        for root in roots {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
                skipped.append(SkippedFile(url: root, error: DICOMError(.unreadable, "no such file or directory",
                                                                         file: root.path)))
                continue
            }
            files += isDirectory.boolValue ? regularFiles(under: root) : [root]
        }
        let paths = Array(Set(files.map(\.standardizedFileURL))).sorted { $0.path < $1.path }

        let results = Locked([Result<OCTInstance, DICOMError>?](repeating: nil, count: paths.count))
        DispatchQueue.concurrentPerform(iterations: paths.count) { index in
            let result = Result { () throws(DICOMError) in try OCTInstance.open(paths[index]) }
            results.withLock { $0[index] = result }
        }

        var seen: [String: URL] = [:]
        var grouped: [String: [OCTInstance]] = [:]
        for (url, result) in zip(paths, results.withLock { $0 }.map { $0! }) {
            switch result {
            case .failure(let error):
                skipped.append(SkippedFile(url: url, error: error))
            case .success(let instance):
                if let first = seen[instance.sopInstanceUID] {
                    skipped.append(SkippedFile(url: url, error: DICOMError(
                        .duplicateInstance, "duplicate SOP Instance UID \(instance.sopInstanceUID) (also in \(first.path))",
                        file: url.path)))
                    continue
                }
                seen[instance.sopInstanceUID] = url
                grouped[instance.studyInstanceUID + "\n" + instance.seriesInstanceUID, default: []].append(instance)
            }
        }
        let series = grouped.values.map { instances in
            let ordered = instances.sorted { a, b in
                switch (a.instanceNumber, b.instanceNumber) {
                case let (x?, y?) where x != y: x < y
                case (_?, nil): true
                case (nil, _?): false
                default: a.url.path < b.url.path
                }
            }
            return OCTSeries(studyInstanceUID: ordered[0].studyInstanceUID, seriesInstanceUID: ordered[0].seriesInstanceUID,
                             patientID: ordered[0].patientID, instances: ordered)
        }.sorted { a, b in
            (a.patientID, a.studyInstanceUID, a.seriesInstanceUID) < (b.patientID, b.studyInstanceUID, b.seriesInstanceUID)
        }
        return StudyArchive(series: series, skipped: skipped.sorted { $0.url.path < $1.url.path })
    }

    /// Regular files below `directory` (symbolic links followed to files, not into folders).
    private static func regularFiles(under directory: URL) -> [URL] {
        guard let enumerator = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil)
        else { return [] }
        var files: [URL] = []
        for case let url as URL in enumerator {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(url)
            }
        }
        return files
    }
}
