import Foundation
import Glibc
import Logging
import NachetSyncTestSupport
import Synchronization
import Testing

@testable import NachetSync

/// The live agent on real inotify and real files. Waits are bounded polls of
/// the catalogue, never timing assertions.
@Suite("watch: the live agent")
struct DropFolderWatcherTests {
    /// Runs a watcher over the datastore's drop folder while `body` runs.
    private func whileWatching(
        _ datastore: TestDatastore,
        window: Duration = .milliseconds(400),
        rescan: Duration = .seconds(120),
        log: CapturedLog? = nil,
        _ body: () async throws -> Void
    ) async throws {
        let watcher = DropFolderWatcher(
            dropDirectory: datastore.drop.root,
            engine: datastore.engine(),
            options: WatchOptions(stabilityWindow: window, rescanInterval: rescan),
            logger: log?.logger(level: .debug) ?? TestDatastore.quietLogger
        )
        try await whileRunning(watcher, body)
    }

    @Test func aFileWrittenSlowlyIsUploadedOnceWhenComplete() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let bytes = DropFolderBuilder.imageBytes(seed: 42, size: 200_000)
        let path = datastore.drop.root + "/lot-1/slow.png"

        try await whileWatching(datastore, window: .milliseconds(1500)) {
            try await Task.sleep(for: .milliseconds(300))
            // A thread of its own, so a busy test run cannot stall the writer
            // longer than the stability window: 20 pieces over 2 seconds.
            let writer = SlowWriter(path: path, bytes: bytes, pieces: 20, pause: 0.1)
            while !writer.isFinished {
                #expect(try await datastore.rowCount("picture") == 0, "nothing is taken while the file still grows")
                try await Task.sleep(for: .milliseconds(50))
            }
            let arrived = try await eventually { try await datastore.rowCount("picture") == 1 }
            #expect(arrived)
            try await Task.sleep(for: .seconds(1))
        }

        #expect(try await datastore.rowCount("picture") == 1)
        let row = try #require(try await datastore.pictureRows().first)
        #expect(row.json["sha256"] as? String == (try FileContent(path: path).sha256().hash.hex), "the complete file was stored")
    }

    @Test func aNewSubfolderIsPickedUp() async throws {
        let datastore = try await TestDatastore.make()

        try await whileWatching(datastore) {
            try await Task.sleep(for: .milliseconds(300))
            try datastore.drop.makeSet("arrived-later", metadata: DropFolderBuilder.metadata())
            try datastore.drop.writeImage("a.png", in: "arrived-later", seed: 1)
            try datastore.drop.writeImage("b.png", in: "arrived-later", seed: 2)
            let arrived = try await eventually { try await datastore.rowCount("picture") == 2 }
            #expect(arrived)
        }

        #expect(try await datastore.numberOfImages()["arrived-later"] == 2)
    }

    @Test func aFileRenamedIntoTheSetIsPickedUp() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())

        try await whileWatching(datastore) {
            try await Task.sleep(for: .milliseconds(300))
            // rsync and Samba write a hidden temporary name, then rename.
            let temporary = try datastore.drop.writeImage(".a.png.XXXXXX", in: "lot-1", seed: 9)
            try FileManager.default.moveItem(atPath: temporary, toPath: datastore.drop.root + "/lot-1/a.png")
            let arrived = try await eventually { try await datastore.rowCount("picture") == 1 }
            #expect(arrived)
        }
    }

    @Test func filesAlreadyThereAtStartAreCaughtUp() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        for index in 0..<3 { try datastore.drop.writeImage("\(index).png", in: "lot-1", seed: UInt64(index)) }

        try await whileWatching(datastore) {
            let arrived = try await eventually { try await datastore.rowCount("picture") == 3 }
            #expect(arrived)
        }
    }

    @Test func aDropFolderRemovedAndRecreatedIsWatchedAgainWithoutDuplicates() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)

        try await whileWatching(datastore, window: .milliseconds(200)) {
            let first = try await eventually { try await datastore.rowCount("picture") == 1 }
            #expect(first)
            // The share goes away (unmounted, server rebooted, folder deleted) …
            try FileManager.default.removeItem(atPath: datastore.drop.root)
            try await Task.sleep(for: .seconds(1))
            // … and comes back holding the same image again and a new one.
            try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
            try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
            try datastore.drop.writeImage("b.png", in: "lot-1", seed: 2)
            let second = try await eventually { try await datastore.rowCount("picture") == 2 }
            #expect(second, "the agent resumed by itself")
            try await Task.sleep(for: .milliseconds(500))
        }

        #expect(try await datastore.rowCount("picture") == 2, "nothing was uploaded twice")
    }

    /// A folder of `count` images with its metadata, outside the drop folder.
    private func stagingFolder(_ datastore: TestDatastore, count: Int) throws -> String {
        let staging = DropFolderBuilder(root: datastore.directory.appending("staging"))
        try staging.makeSet("lot-copied", metadata: DropFolderBuilder.metadata())
        for index in 0..<count { try staging.writeImage("img-\(index).png", in: "lot-copied", seed: UInt64(index)) }
        return staging.root + "/lot-copied"
    }

    private func runTool(_ tool: String, _ arguments: [String]) async throws {
        let process = try SpawnedProcess(tool, arguments)
        try await process.exit(within: .seconds(300))
        #expect(process.terminationStatus == 0, "\(tool) failed")
    }

    @Test(arguments: ["cp", "rsync"])
    func aFolderCopiedInByACopyToolArrivesExactlyOnce(tool: String) async throws {
        let datastore = try await TestDatastore.make()
        let source = try stagingFolder(datastore, count: 200)
        let log = CapturedLog()

        try await whileWatching(datastore, window: .milliseconds(300), log: log) {
            try await Task.sleep(for: .milliseconds(300))
            switch tool {
            case "cp": try await runTool("cp", ["-r", source, datastore.drop.root + "/"])
            default: try await runTool("rsync", ["-a", source, datastore.drop.root + "/"])
            }
            // Two seconds alone; over a minute with two test runs on two cores.
            let arrived = try await eventually(within: .seconds(240)) { try await datastore.rowCount("picture") == 200 }
            let count = try await datastore.rowCount("picture")
            #expect(arrived, "\(count) of 200 arrived; the watcher said: \(log.messages.suffix(40))")
            try await Task.sleep(for: .milliseconds(500))
        }

        #expect(try await datastore.rowCount("picture") == 200)
        #expect(try await datastore.numberOfImages()["lot-copied"] == 200)
    }

    @Test func anEventQueueOverflowLeadsToAFullRescan() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let log = CapturedLog()
        // An event queue that holds nothing, as if fs.inotify.max_queued_events
        // were 0, for this watcher only (the host's setting is left alone):
        // every batch of events is lost and only an overflow is read.
        var options = WatchOptions(stabilityWindow: .milliseconds(300), rescanInterval: .seconds(600))
        options.eventQueueLimit = 0
        let watcher = DropFolderWatcher(
            dropDirectory: datastore.drop.root,
            engine: datastore.engine(),
            options: options,
            logger: log.logger(level: .warning)
        )
        var arrived = false
        try await whileRunning(watcher) {
            for index in 0..<100 { try datastore.drop.writeImage("burst-\(index).png", in: "lot-1", seed: UInt64(index)) }
            arrived = try await eventually(within: .seconds(60)) { try await datastore.rowCount("picture") == 100 }
        }

        #expect(arrived, "every file was found")
        #expect(log.messages.contains { $0.contains("overflowed") }, "the overflow was said")
        #expect(try await datastore.rowCount("picture") == 100)
    }

    @Test func anOverflowEventAsksForAFullScan() {
        var pending = FolderChanges.Pending()
        DropFolderWatcher.record(
            [Inotify.Event(directory: nil, name: "", mask: UInt32(IN_Q_OVERFLOW))],
            in: &pending,
            dropDirectories: ["/drop"]
        )
        #expect(pending.fullScan && pending.overflowed)
    }

    @Test func eventsAreCoalescedByFolder() {
        var pending = FolderChanges.Pending()
        let events =
            (0..<10_000).map { Inotify.Event(directory: "/drop/lot-1", name: "img-\($0).png", mask: UInt32(IN_CLOSE_WRITE)) }
            + [Inotify.Event(directory: "/drop", name: "lot-2", mask: UInt32(IN_CREATE | IN_ISDIR))]
        DropFolderWatcher.record(events, in: &pending, dropDirectories: ["/drop"])
        #expect(pending.folders == ["/drop/lot-1"], "ten thousand events, one entry")
        #expect(pending.newFolders == ["/drop/lot-2"])
        #expect(!pending.fullScan)
    }

    @Test func temporaryNamesAndTheStatusFileStartNoPass() {
        var pending = FolderChanges.Pending()
        let quiet = [".a.png.Xy12Z9", "~$notes.docx", "b.png.part", "c.tif.crdownload", "d.png.tmp", StatusFileWriter.fileName]
        DropFolderWatcher.record(
            quiet.map { Inotify.Event(directory: "/drop/lot-1", name: $0, mask: UInt32(IN_CLOSE_WRITE)) }
                + [Inotify.Event(directory: "/srv/second-drop/lot-9", name: "a.png", mask: UInt32(IN_MOVED_TO))],
            in: &pending,
            dropDirectories: ["/drop", "/srv/second-drop"]
        )
        #expect(pending.folders == ["/srv/second-drop/lot-9"], "only the rename to a real name counts")
    }

    @Test func theStabilityTrackerWaitsForTheWindow() async throws {
        let tracker = StabilityTracker(window: .milliseconds(200))
        let signature = FileSignature(size: 10, modificationTimeNanoseconds: 1, inode: 1)
        #expect(!tracker.isReady(path: "/a", signature: signature))
        try await Task.sleep(for: .milliseconds(250))
        #expect(tracker.isReady(path: "/a", signature: signature))
        let grown = FileSignature(size: 20, modificationTimeNanoseconds: 2, inode: 1)
        #expect(!tracker.isReady(path: "/a", signature: grown), "a change restarts the window")
        #expect(StabilityTracker(window: .zero).isReady(path: "/b", signature: signature))
    }
}

/// Writes a file in pieces from a thread of its own, pausing between them.
private final class SlowWriter: Sendable {
    private let finished = Mutex(false)

    init(path: String, bytes: Data, pieces: Int, pause: TimeInterval) {
        let thread = Thread { [self] in
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            if let handle = FileHandle(forWritingAtPath: path) {
                let pieceSize = bytes.count / pieces
                for index in 0..<pieces {
                    let end = index == pieces - 1 ? bytes.count : (index + 1) * pieceSize
                    handle.write(bytes[(index * pieceSize)..<end])
                    Thread.sleep(forTimeInterval: pause)
                }
                try? handle.close()
            }
            self.finished.withLock { $0 = true }
        }
        thread.start()
    }

    var isFinished: Bool { finished.withLock { $0 } }
}
