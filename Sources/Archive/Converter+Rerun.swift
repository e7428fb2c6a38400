import Container
import DICOM
import Foundation
import Support

/// What an earlier convert into the same output folder left: its manifest's series whose container
/// still exists, each with its own archive and profile spelled out.
struct EarlierRun {
    var entries: [Manifest.Series]

    init(manifest: Manifest, output: URL) {
        entries = manifest.series.compactMap { series in
            guard FileManager.default.fileExists(atPath: output.appendingPathComponent(series.output).path) else {
                return nil
            }
            var entry = series
            entry.archive = manifest.archive(of: series)
            entry.profile = manifest.profile(of: series)
            return entry
        }
    }
}

extension Converter {
    /// A rerun never destroys compressed data: an existing container of `series` is replaced only by
    /// one that holds every instance it held, coded with the same profile, unless `--replace` allows
    /// it. What the old container held comes from its own header (or, if that cannot be read, from
    /// the earlier manifest entry).
    func checkReplacement(of series: OCTSeries, inputs: [Manifest.InputFile], earlier: Manifest.Series?) throws {
        guard !options.replace else { return }
        let relative = "\(series.studyInstanceUID)/\(series.seriesInstanceUID).octz"
        let url = options.output.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let held: [String]
        let heldProfile: Manifest.Profile?
        if let reader = try? OctzReader(url: url) {
            held = reader.header.instances.map(\.sopInstanceUID)
            heldProfile = Manifest.Profile(
                name: reader.header.profileName,
                weightsSHA256: Hex.string(reader.header.profileWeightsSHA256))
        } else if let earlier {
            held = earlier.inputs.map(\.sopInstanceUID)
            heldProfile = earlier.profile
        } else {
            return  // an unreadable container that no manifest describes: nothing known to keep
        }
        let mine = Manifest.Profile(name: codec.profile.name, weightsSHA256: Hex.string(codec.profile.weightsSHA256))
        if let heldProfile, heldProfile != mine {
            let which =
                heldProfile.name == mine.name ? "other weights of profile \(mine.name)" : "profile \(heldProfile.name)"
            throw ArchiveError.wouldDestroy(
                "\(url.path) was written with \(which); this run uses \(mine.name). Kept it: convert into another "
                    + "--out to keep both, or pass --replace to replace it")
        }
        let present = Set(inputs.map(\.sopInstanceUID))
        let missing = held.filter { !present.contains($0) }
        guard !missing.isEmpty else { return }
        let paths = Dictionary(
            earlier?.inputs.map { ($0.sopInstanceUID, $0.path) } ?? [], uniquingKeysWith: { a, _ in a })
        let named = missing.map { uid in paths[uid].map { "\($0) (\(uid))" } ?? uid }
        throw ArchiveError.wouldDestroy(
            "\(url.path) holds \(missing.count) of \(held.count) instances that are no longer in the archive: "
                + named.joined(separator: ", ") + ". Kept the container (the only copy of those instances); "
                + "pass --replace to replace it with one of the \(inputs.count) instances present")
    }
}

extension Converter {
    /// `series` without the instances that are restored (lossy derived) copies of an instance its
    /// existing container already holds (the original may be gone from the archive; its copy must
    /// not take its place), and those copies as skipped files.
    func withoutCopiesOfArchivedInstances(_ series: OCTSeries) -> (series: OCTSeries, copies: [SkippedFile]) {
        let url = options.output.appendingPathComponent("\(series.studyInstanceUID)/\(series.seriesInstanceUID).octz")
        guard series.instances.contains(where: { $0.sourceSOPInstanceUID != nil }),
            let reader = try? OctzReader(url: url)
        else { return (series, []) }
        let held = Set(reader.header.instances.map(\.sopInstanceUID))
        var kept = series
        var copies: [SkippedFile] = []
        kept.instances = series.instances.filter { instance in
            guard let source = instance.sourceSOPInstanceUID, held.contains(source) else { return true }
            copies.append(
                SkippedFile(
                    url: instance.url,
                    error: DICOMError(
                        .derivedCopy,
                        "a restored (lossy derived) copy of SOP Instance \(source), which \(url.path) already holds; "
                            + "not merged", file: instance.url.path)))
            return false
        }
        return (kept, copies)
    }
}

/// Hidden temporary files (`.NAME.UUID.partial`) that a killed run left in an output folder.
enum PartialFiles {
    /// Removes them; called while the run holds the folder's lock.
    static func remove(under folder: URL) {
        guard let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else {
            return
        }
        for case let url as URL in enumerator {
            let name = url.lastPathComponent
            if name.hasPrefix("."), name.hasSuffix(".partial") {
                try? FileManager.default.removeItem(at: url)
            }
        }
    }
}
