import Archive
import ArgumentParser
import Foundation
import PACS

/// `verify --from AET@HOST:PORT RESTORED`.
struct VerifyFromNodeOptions: ParsableArguments {
    @Option(name: .long, help: "Read the originals from this DICOM node (AET@HOST:PORT) with C-GET.")
    var from: String?

    @OptionGroup var connection: PACSConnectionOptions

    /// With --from: a private temporary folder holding the originals of `restored` (the caller
    /// deletes it); nil without --from.
    func fetchOriginals(of restored: URL) throws -> URL? {
        guard let from else { return nil }
        let client = try connection.client(for: from)
        let wanted = try PACSOriginals.wanted(by: restored)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "octarc-originals-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        do {
            try PACSOriginals.retrieve(wanted, from: client, into: folder)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        return folder
    }
}
