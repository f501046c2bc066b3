import Foundation
import Glibc
import Logging
import Synchronization

/// The live agent: watches drop folders with inotify and feeds the engine
/// the set folders that changed, once they have been quiet for the
/// stability window; scans everything at start and every rescan interval.
package struct DropFolderWatcher: Sendable {
    let dropDirectories: [String]
    let engine: SyncEngine
    let options: WatchOptions
    let logger: Logger
    /// Whether the catalogue and blob store answer, for `STATUS=`.
    let health: StoreHealth?

    /// A watcher of several drop folders, served one folder pass at a time.
    /// - Parameter health: The stores' health the engine's backends report
    ///   to, shown in systemd's `STATUS=` line while a store is down.
    package init(dropDirectories: [String], engine: SyncEngine, options: WatchOptions, health: StoreHealth? = nil, logger: Logger) {
        self.dropDirectories = dropDirectories
        self.engine = engine
        self.options = options
        self.health = health
        self.logger = logger
    }

    package init(dropDirectory: String, engine: SyncEngine, options: WatchOptions, logger: Logger) {
        self.init(dropDirectories: [dropDirectory], engine: engine, options: options, logger: logger)
    }

    /// Runs until the task is cancelled (SIGINT/SIGTERM). The file being
    /// stored when cancellation comes is finished; nothing else is started.
    /// - Parameters:
    ///   - systemd: Told when the first scan is done and how uploads go.
    ///   - onPass: Called with the report of every folder pass.
    ///   - onReady: Called once the first scan is done and every folder
    ///     present is watched (when systemd is told `READY=1`); a drop folder
    ///     missing then is warned about and shown in `STATUS=`.
    package func run(
        systemd: SystemdNotifier = SystemdNotifier(),
        onPass: @Sendable (FolderReport) -> Void = { _ in },
        onReady: @Sendable () -> Void = {}
    ) async throws {
        let inotify = try Inotify(watchLimit: options.watchLimit, queueLimit: options.eventQueueLimit)
        let changes = FolderChanges()
        let wakeup = Wakeup()
        let reader = InotifyReader(inotify: inotify, changes: changes, wakeup: wakeup, dropDirectories: Set(dropDirectories))
        reader.start()
        defer { reader.stop() }
        let board = WatchStatusBoard(dropDirectories: dropDirectories, health: health)
        let systemdUpdates = board.keepSystemdInformed(systemd)
        defer { systemdUpdates.cancel() }
        // Through `serve`: its fleet page shows how this PC stands.
        let reports = engine.destination.reports.map { receiver in
            Task { await AgentReporter(receiver: receiver, board: board, folders: engine.metrics.folders, logger: logger).run() }
        }
        defer { reports?.cancel() }

        var loop = WatchLoop(watcher: self, inotify: inotify, board: board)
        logger.info(
            "watching",
            metadata: [
                "drop_folders": "\(dropDirectories.joined(separator: ", "))",
                "stability_window": "\(options.stabilityWindow)",
                "rescan_interval": "\(options.rescanInterval)",
                "verify_every": "\(loop.scheduler.verification.interval.map { "\($0)" } ?? "never")",
            ]
        )
        var announcedReady = false
        while !Task.isCancelled {
            loop.take(changes.take())
            if loop.scheduler.isFullScanDue(at: loop.clock.now) { await loop.scanEverything() }
            try await loop.passDueFolders(onPass: onPass)
            try await loop.recheckUnchangedSetsWhenIdle()
            // The first pass over what was there at start is done (a drop
            // folder missing was said, and is in the status line).
            if !announcedReady {
                board.sendReady(to: systemd)
                announcedReady = true
                onReady()
            }
            let wake = loop.scheduler.nextWake(orAt: engine.statusFiles?.flushDue())
            await wakeup.wait(timeout: max(wake - loop.clock.now, .milliseconds(10)))
        }
        engine.statusFiles?.flushAll()
        logger.info("stopped watching", metadata: ["drop_folders": "\(dropDirectories.joined(separator: ", "))"])
    }

    /// Folds inotify events into the pending changes.
    static func record(_ events: [Inotify.Event], in pending: inout FolderChanges.Pending, dropDirectories: Set<String>) {
        for event in events {
            if event.isOverflow {
                pending.fullScan = true
                pending.overflowed = true
                continue
            }
            guard let directory = event.directory else { continue }
            if dropDirectories.contains(directory) {
                if event.watchEnded {
                    pending.fullScan = true
                } else if event.isDirectory && !DirectoryEntries.isIgnored(event.name) {
                    let folder = directory + "/" + event.name
                    if event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
                        pending.newFolders.insert(folder)
                        pending.removedFolders.remove(folder)
                    } else {
                        pending.removedFolders.insert(folder)
                        pending.newFolders.remove(folder)
                    }
                }
            } else if event.name.isEmpty || !(event.watchEnded || Self.isNotAnInput(event.name)) {
                pending.folders.insert(directory)
            }
        }
    }

    /// Files whose events never start a pass: temporary names (the final
    /// rename brings its own event) and the agent's own status file.
    static func isNotAnInput(_ name: String) -> Bool {
        DirectoryEntries.isIgnored(name) || name == StatusFileWriter.fileName
    }
}
