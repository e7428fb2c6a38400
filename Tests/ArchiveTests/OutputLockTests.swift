import Archive
import Foundation
import TestSupport
import Testing

/// Issue 13 rule 6: one convert at a time per output folder; the second is told who holds it.
@Suite struct OutputLockTests {
    @Test func aSecondLockOnTheFolderIsRefusedNamingTheHolder() throws {
        let folder = try Fixtures.makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let lock = try OutputLock.acquire(in: folder)
        #expect(
            throws: OutputLock.Failure.taken(path: folder.appendingPathComponent(".octarc.lock").path, holder: getpid())
        ) {
            try OutputLock.acquire(in: folder)
        }
        // Another name (a shard's own lock) is independent.
        let shard = try OutputLock.acquire(in: folder, name: ".octarc.shard-1.lock")
        shard.release()
        lock.release()
        let again = try OutputLock.acquire(in: folder)
        again.release()
    }

    @Test func theMessageSaysWhatToDo() {
        let text = OutputLock.Failure.taken(path: "/data/out/.octarc.lock", holder: 4242).description
        #expect(text.contains("/data/out") && text.contains("pid 4242") && text.contains("--out"))
    }
}
