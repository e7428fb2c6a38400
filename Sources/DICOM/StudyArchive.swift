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
    public static func scan(_ root: URL, excluding: [URL] = []) -> StudyArchive { scan([root], excluding: excluding) }

    /// Scans each of `roots` (folders, searched recursively, or files); headers are read in
    /// parallel. Symbolic links are followed (a file reached twice is read once); whatever cannot
    /// be read (unreadable folders, dangling links, special files, names that are not UTF-8) is
    /// listed in `skipped`. Folders in `excluding` are not entered (a convert's own output). A SOP
    /// Instance UID seen twice is kept once, from the first path in order; a restored (lossy
    /// derived) copy of an instance of the same series is skipped, never merged into it.
    public static func scan(_ roots: [URL], excluding: [URL] = []) -> StudyArchive {
        var walk = Walk(excluding: excluding)
        for root in roots { walk.add(root: root) }
        var skipped = walk.skipped
        let paths = walk.files.sorted { $0.path < $1.path }

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
                    skipped.append(
                        SkippedFile(
                            url: url,
                            error: DICOMError(
                                .duplicateInstance,
                                "duplicate SOP Instance UID \(instance.sopInstanceUID) (also in \(first.path))",
                                file: url.path)))
                    continue
                }
                seen[instance.sopInstanceUID] = url
                grouped[instance.studyInstanceUID + "\n" + instance.seriesInstanceUID, default: []].append(instance)
            }
        }
        for (key, instances) in grouped {
            let (kept, copies) = separatingDerivedCopies(instances)
            grouped[key] = kept
            skipped += copies
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
            return OCTSeries(
                studyInstanceUID: ordered[0].studyInstanceUID, seriesInstanceUID: ordered[0].seriesInstanceUID,
                patientID: ordered[0].patientID, instances: ordered)
        }.sorted { a, b in
            (a.patientID, a.studyInstanceUID, a.seriesInstanceUID) < (
                b.patientID, b.studyInstanceUID, b.seriesInstanceUID
            )
        }
        return StudyArchive(series: series, skipped: skipped.sorted { $0.url.path < $1.url.path })
    }

    /// Splits off the instances that are restored (lossy derived) copies of another instance of the
    /// same series: merging them would code the same B-scans twice, once from a lossy copy.
    static func separatingDerivedCopies(_ instances: [OCTInstance]) -> (kept: [OCTInstance], skipped: [SkippedFile]) {
        let byUID = Dictionary(instances.map { ($0.sopInstanceUID, $0) }, uniquingKeysWith: { first, _ in first })
        var kept: [OCTInstance] = []
        var skipped: [SkippedFile] = []
        for instance in instances {
            if let source = instance.sourceSOPInstanceUID, let original = byUID[source], original != instance {
                skipped.append(
                    SkippedFile(
                        url: instance.url,
                        error: DICOMError(
                            .derivedCopy,
                            "a restored (lossy derived) copy of SOP Instance \(source) in \(original.url.path), "
                                + "which is in the same series; not merged", file: instance.url.path)))
            } else {
                kept.append(instance)
            }
        }
        return (kept, skipped)
    }
}
