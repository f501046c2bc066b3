import Foundation
import Logging
import NachetSyncTestSupport
import Synchronization
import Testing

@testable import NachetSync

/// What inotify cannot see: files written by another machine onto a share
/// (simulated by leaving a folder without a watch), and folders beyond the
/// inotify watch limit. Both are found by the periodic scan.
@Suite("watch: the reconcile scan")
struct ReconcileScanTests {
    /// Runs a watcher with `options` over `drops` while `body` runs.
    private func whileWatching(
        _ drops: [String],
        engine: SyncEngine,
        options: WatchOptions,
        logger: Logger = TestDatastore.quietLogger,
        _ body: () async throws -> Void
    ) async throws {
        try await whileRunning(DropFolderWatcher(dropDirectories: drops, engine: engine, options: options, logger: logger), body)
    }

    @Test func filesInAFolderInotifyCannotSeeAreFoundByTheRescan() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("remote", metadata: DropFolderBuilder.metadata())
        try datastore.drop.makeSet("local", metadata: DropFolderBuilder.metadata())
        var options = WatchOptions(stabilityWindow: .milliseconds(200), rescanInterval: .seconds(120))
        options.unwatchedFolderNames = ["remote"]

        // Without rescans, a file in the unwatched folder is never seen,
        // while one in a watched folder arrives: the simulation is real.
        try await whileWatching([datastore.drop.root], engine: datastore.engine(), options: options) {
            try await Task.sleep(for: .milliseconds(500))
            try datastore.drop.writeImage("from-another-host.png", in: "remote", seed: 1)
            try datastore.drop.writeImage("from-this-host.png", in: "local", seed: 2)
            #expect(try await eventually { try await datastore.rowCount("picture") == 1 })
            try await Task.sleep(for: .seconds(2))
            #expect(try await datastore.rowCount("picture") == 1, "no event came from the unwatched folder")
        }

        // With a rescan every second, it is found.
        options.rescanInterval = .seconds(1)
        try await whileWatching([datastore.drop.root], engine: datastore.engine(), options: options) {
            try await Task.sleep(for: .milliseconds(1500))
            try datastore.drop.writeImage("later-from-another-host.png", in: "remote", seed: 3)
            #expect(try await eventually { try await datastore.rowCount("picture") == 3 })
        }
        #expect(try await datastore.numberOfImages()["remote"] == 2)
    }

    @Test func reachingTheWatchLimitIsSaidOnceAndTheRestIsPolled() async throws {
        let datastore = try await TestDatastore.make()
        for index in 0..<4 { try datastore.drop.makeSet("lot-\(index)", metadata: DropFolderBuilder.metadata()) }
        var options = WatchOptions(stabilityWindow: .milliseconds(200), rescanInterval: .seconds(120))
        options.watchLimit = 2  // the drop folder and one set folder
        let log = CapturedLog()

        try await whileWatching([datastore.drop.root], engine: datastore.engine(), options: options, logger: log.logger()) {
            try await Task.sleep(for: .milliseconds(500))
            for index in 0..<4 { try datastore.drop.writeImage("a.png", in: "lot-\(index)", seed: UInt64(index)) }
            // The poll interval is at most 5 s, whatever the rescan interval.
            #expect(try await eventually(within: .seconds(60)) { try await datastore.rowCount("picture") == 4 })
        }

        let warnings = log.messages.filter { $0.contains("fs.inotify.max_user_watches") }
        #expect(warnings.count == 1, "said once, not once per folder or scan: \(log.messages)")
    }

    @Test func oneAgentServesSeveralDropFolders() async throws {
        let datastore = try await TestDatastore.make()
        let second = DropFolderBuilder(root: datastore.directory.appending("second-drop"))
        try datastore.drop.makeSet("camera-1", metadata: DropFolderBuilder.metadata())
        try second.makeSet("camera-2", metadata: DropFolderBuilder.metadata())
        let options = WatchOptions(stabilityWindow: .milliseconds(200), rescanInterval: .seconds(120))

        try await whileWatching([datastore.drop.root, second.root], engine: datastore.engine(), options: options) {
            try await Task.sleep(for: .milliseconds(500))
            try datastore.drop.writeImage("a.png", in: "camera-1", seed: 1)
            try second.writeImage("b.png", in: "camera-2", seed: 2)
            #expect(try await eventually { try await datastore.rowCount("picture") == 2 })
        }

        let sets = try await datastore.numberOfImages()
        #expect(sets["camera-1"] == 1 && sets["camera-2"] == 1)
    }

    @Test func drivingTheWatcherWritesStatusFilesWithoutFeedingItself() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot", metadata: DropFolderBuilder.metadata())
        let engine = datastore.engine(statusFiles: StatusFileWriter(logger: TestDatastore.quietLogger))
        let options = WatchOptions(stabilityWindow: .milliseconds(200), rescanInterval: .seconds(120))
        let passes = Counter()
        let watcher = DropFolderWatcher(
            dropDirectory: datastore.drop.root, engine: engine, options: options, logger: TestDatastore.quietLogger)
        let task = Task { try await watcher.run { _ in passes.increment() } }
        defer { task.cancel() }

        try await Task.sleep(for: .milliseconds(500))
        try datastore.drop.writeImage("a.png", in: "lot", seed: 1)
        let statusFile = datastore.drop.root + "/lot/" + StatusFileWriter.fileName
        #expect(
            try await eventually {
                ((try? String(contentsOfFile: statusFile, encoding: .utf8)) ?? "").contains("images: 1 done")
            })
        let settled = passes.value
        try await Task.sleep(for: .seconds(2))
        task.cancel()
        _ = await task.result

        #expect(passes.value <= settled + 1, "writing the status file starts no pass of its own (\(settled) → \(passes.value))")
    }

    @Test func aSetFolderDeletedIsForgottenByTheStatusFilesAtTheNextFullScan() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("kept", metadata: DropFolderBuilder.metadata())
        try datastore.drop.makeSet("deleted", metadata: DropFolderBuilder.metadata())
        let statusFiles = StatusFileWriter(logger: TestDatastore.quietLogger)
        let engine = datastore.engine(statusFiles: statusFiles)
        let options = WatchOptions(stabilityWindow: .milliseconds(100), rescanInterval: .seconds(1))
        let watcher = DropFolderWatcher(
            dropDirectory: datastore.drop.root, engine: engine, options: options, logger: TestDatastore.quietLogger)
        let task = Task { try await watcher.run { _ in } }
        defer { task.cancel() }
        let kept = datastore.drop.root + "/kept"
        let deleted = datastore.drop.root + "/deleted"

        #expect(try await eventually { statusFiles.trackedFolders == [kept, deleted] })
        try FileManager.default.removeItem(atPath: deleted)

        #expect(try await eventually { statusFiles.trackedFolders == [kept] })
        task.cancel()
        _ = await task.result
    }
}

/// A count shared with a callback.
private final class Counter: Sendable {
    private let count = Mutex(0)
    var value: Int { count.withLock { $0 } }
    func increment() { count.withLock { $0 += 1 } }
}
