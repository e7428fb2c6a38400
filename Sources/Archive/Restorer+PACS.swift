import Foundation
import PACS

extension Restorer {
    /// Sends the instances of a restore to a DICOM node with C-STORE. Each instance's status is in
    /// the result (a refused one names its status, the rest continue); this throws only when no
    /// association can be opened or it breaks off.
    public static func send(
        _ restored: [RestoredInstance], to client: PACSClient
    ) throws(PACSError) -> [PACSClient.StoreResult] {
        guard !restored.isEmpty else { return [] }
        return try client.store(restored.map { URL(fileURLWithPath: $0.path) })
    }
}
