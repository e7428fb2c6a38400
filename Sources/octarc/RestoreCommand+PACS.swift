import Archive
import ArgumentParser
import Foundation
import PACS

/// `restore --to AET@HOST:PORT`.
struct RestoreToNodeOptions: ParsableArguments {
    @Option(name: .long, help: "Send the restored DICOM to this node (AET@HOST:PORT) with C-STORE.")
    var to: String?

    @OptionGroup var connection: PACSConnectionOptions

    /// A private folder for restored files that are only sent (no --out); the caller deletes it.
    static func scratchFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "octarc-restore-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        return folder
    }

    /// Sends the restored instances and prints each failure with its status; true if any failed.
    static func send(_ restored: [Restorer.RestoredInstance], to client: PACSClient) throws -> Bool {
        let results = try Restorer.send(restored, to: client)
        let failed = results.filter { !$0.succeeded }
        for (instance, result) in zip(restored, results) where !result.succeeded {
            print(
                "FAILED C-STORE of instance \(instance.sopInstanceUID) (restored from \(instance.sourceSOPInstanceUID)): "
                    + DIMSEStatus.describe(result.status) + (result.reason.isEmpty ? "" : ": \(result.reason)"))
        }
        print("\(results.count - failed.count) of \(results.count) instances stored to \(client.node)")
        return !failed.isEmpty
    }
}
