import Container
import DICOM
import Foundation
import PACS

/// `octarc verify --from AET@HOST:PORT`: the originals of restored files (or of containers), read
/// from a DICOM node instead of a folder.
public enum PACSOriginals {
    /// An original instance to fetch, and the series it belongs to.
    public struct Wanted: Sendable, Equatable {
        public var studyInstanceUID: String
        public var seriesInstanceUID: String
        public var sopInstanceUID: String
        public var sopClassUID: String
    }

    /// The originals that `restored` (containers, a manifest, or restored DICOM) derives from.
    public static func wanted(by restored: URL) throws -> [Wanted] {
        if let containers = try? ContainerFiles.find(restored) {
            return try containers.flatMap { url -> [Wanted] in
                let header = try OctzReader(url: url).header
                return header.instances.map {
                    Wanted(
                        studyInstanceUID: header.studyInstanceUID, seriesInstanceUID: header.seriesInstanceUID,
                        sopInstanceUID: $0.sopInstanceUID, sopClassUID: $0.sopClassUID)
                }
            }
        }
        let instances = StudyArchive.scan(restored).instances.compactMap { instance -> Wanted? in
            guard let source = instance.sourceSOPInstanceUID else { return nil }
            return Wanted(
                studyInstanceUID: instance.studyInstanceUID, seriesInstanceUID: instance.seriesInstanceUID,
                sopInstanceUID: source, sopClassUID: instance.sopClassUID)
        }
        guard !instances.isEmpty else {
            throw ArchiveError.noInput(
                "\(restored.path): no containers and no restored DICOM (with a derivation reference) here")
        }
        return instances
    }

    /// Retrieves each wanted instance (C-GET at instance level: only the originals, not the derived
    /// instances a restore --to may have added to the same series) into `folder`.
    public static func retrieve(_ wanted: [Wanted], from client: PACSClient, into folder: URL) throws {
        var seen = Set<String>()
        for item in wanted where seen.insert(item.sopInstanceUID).inserted {
            do {
                let counts = try client.get(
                    level: .instance,
                    keys: [
                        (.init(0x0020, 0x000D), item.studyInstanceUID), (.init(0x0020, 0x000E), item.seriesInstanceUID),
                        (.init(0x0008, 0x0018), item.sopInstanceUID),
                    ], sopClasses: [item.sopClassUID], into: folder)
                if counts.received == 0 {
                    throw PACSError(.failed, "\(client.node) has no such instance")
                }
            } catch let error as PACSError {
                throw error.about("original instance \(item.sopInstanceUID) of series \(item.seriesInstanceUID)")
            }
        }
    }
}
