import Foundation
import NachetSync
import NachetSyncTestSupport
import Synchronization
import Testing

/// The datastore check as the live agent runs it: a round at start, each
/// folder's pass storing again what the datastore lost, and a stop that is
/// honoured while rounds are scheduled.
@Suite("watch: the datastore check")
struct WatchVerificationTests {
    @Test func aBlobFolderWipedWhileTheAgentWasStoppedIsRestoredByTheRoundAtStart() async throws {
        let datastore = try await TestDatastore.make()
        try await datastore.syncLot(count: 2)
        for name in datastore.pictureBlobNames() { try datastore.removeBlob(name) }
        try datastore.addGoodFolder()
        let watcher = DropFolderWatcher(
            dropDirectory: datastore.drop.root,
            engine: datastore.engine(),
            // A window far longer than the test: the files whose blobs were
            // lost are unchanged since stored, so they are taken at once.
            options: WatchOptions(stabilityWindow: .seconds(30), rescanInterval: .seconds(600), verifyInterval: .seconds(3_600)),
            logger: TestDatastore.quietLogger
        )

        try await whileRunning(watcher) {
            let restored = try await eventually { datastore.pictureBlobNames().filter { $0.contains("/lot-1/") }.count == 2 }
            #expect(restored, "\(datastore.blobNames())")
        }

        try await datastore.expectOneBlobPerRow()
        let record = try #require(try datastore.state.folder(datastore.drop.root + "/lot-1"))
        #expect(record.datastoreProblems.isEmpty, "\(record.datastoreProblems)")
    }

    @Test func withTheCheckOffTheWatcherDoesNotLookAtTheDatastore() async throws {
        let datastore = try await TestDatastore.make()
        try await datastore.syncLot(count: 1)
        for name in datastore.pictureBlobNames() { try datastore.removeBlob(name) }
        let passes = PassLog()
        let watcher = DropFolderWatcher(
            dropDirectory: datastore.drop.root,
            engine: datastore.engine(),
            options: WatchOptions(stabilityWindow: .milliseconds(100), rescanInterval: .seconds(600), verifyInterval: nil),
            logger: TestDatastore.quietLogger
        )

        let task = Task { try await watcher.run(onPass: { passes.add($0) }) }
        let passed = try await eventually { passes.count >= 1 }
        task.cancel()
        _ = await task.result

        #expect(passed)
        #expect(datastore.pictureBlobNames().isEmpty, "--verify-every 0: nothing looked for")
        #expect(passes.reports.allSatisfy { $0.repaired.isEmpty && $0.filesRead == 0 })
    }
}

/// The reports of a watcher's passes.
private final class PassLog: Sendable {
    private let storage = Mutex<[FolderReport]>([])

    func add(_ report: FolderReport) { storage.withLock { $0.append(report) } }
    var reports: [FolderReport] { storage.withLock { $0 } }
    var count: Int { reports.count }
}
