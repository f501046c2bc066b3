import Foundation
import Glibc
import Logging
import Synchronization

/// The live agent: watches drop folders with inotify and feeds the engine
/// the set folders that changed, once they have been quiet for the
/// stability window; scans everything at start and every rescan interval.
public struct DropFolderWatcher: Sendable {
    let dropDirectories: [String]
    let engine: SyncEngine
    let options: WatchOptions
    let logger: Logger
    /// Whether the catalogue and blob store answer, for `STATUS=`.
    let health: StoreHealth?

    /// A watcher of several drop folders, served one folder pass at a time.
    /// - Parameter health: The stores' health the engine's backends report
    ///   to, shown in systemd's `STATUS=` line while a store is down.
    public init(dropDirectories: [String], engine: SyncEngine, options: WatchOptions, health: StoreHealth? = nil, logger: Logger) {
        self.dropDirectories = dropDirectories
        self.engine = engine
        self.options = options
        self.health = health
        self.logger = logger
    }

    public init(dropDirectory: String, engine: SyncEngine, options: WatchOptions, logger: Logger) {
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
    public func run(
        systemd: SystemdNotifier = SystemdNotifier(),
        onPass: @Sendable (FolderReport) -> Void = { _ in },
        onReady: @Sendable () -> Void = {}
    ) async throws {
        let inotify = try Inotify(watchLimit: options.watchLimit, queueLimit: options.eventQueueLimit)
        let changes = FolderChanges()
        let wakeup = Wakeup()
        let readiness = StabilityTracker(window: options.stabilityWindow)
        let clock = ContinuousClock()
        let stop = StopFlag()
        let drops = Set(dropDirectories)

        let reader = Thread {
            while !stop.isSet {
                let events = inotify.read(timeoutMilliseconds: 500)
                guard !events.isEmpty else { continue }
                changes.update { Self.record(events, in: &$0, dropDirectories: drops) }
                wakeup.signal()
            }
        }
        reader.name = "inotify"
        reader.start()
        defer {
            stop.set()
            inotify.interrupt()
        }

        var present: Set<String> = []
        var everSeen: Set<String> = []
        var saidMissing: Set<String> = []
        var watchLimit = WatchLimitNotice()
        var outage = Outage()
        var announcedReady = false
        let board = WatchStatusBoard(dropDirectories: dropDirectories, health: health)
        // Watchdog pings come from a task of their own, so a long upload
        // (a large file to a slow network) never looks like a hang.
        let watchdog = Task {
            guard let interval = systemd.watchdogInterval else { return }
            while !Task.isCancelled {
                systemd.watchdog()
                try? await Task.sleep(for: interval)
            }
        }
        defer { watchdog.cancel() }
        // STATUS= too, so a pass blocked retrying a store shows it at once.
        let statusLine = Task {
            guard systemd.isActive else { return }
            await board.keepSending(to: systemd)
        }
        defer { statusLine.cancel() }
        var due: [String: ContinuousClock.Instant] = [:]
        var nextFullScan = clock.now
        var verification = VerificationSchedule(interval: options.verifyInterval, start: clock.now)
        /// The destination or the state file is failing for every file: say
        /// so once, keep watching, and retry everything after a growing
        /// pause. Nothing was recorded for the files not stored, so nothing
        /// is lost.
        func enterOutage(_ error: SyncRunError) {
            if outage.message != error.message {
                logger.error("\(error.message)", metadata: ["retry_in": "\(outage.nextDelay)"])
            }
            outage.record(error.message)
            engine.metrics.failed(error.reason)
            board.update { $0.stoppedBy = error.message }
            due.removeAll()
            nextFullScan = clock.now + outage.delay
        }

        logger.info(
            "watching",
            metadata: [
                "drop_folders": "\(dropDirectories.joined(separator: ", "))",
                "stability_window": "\(options.stabilityWindow)",
                "rescan_interval": "\(options.rescanInterval)",
                "verify_every": "\(verification.interval.map { "\($0)" } ?? "never")",
            ]
        )
        while !Task.isCancelled {
            let pending = changes.take()
            let now = clock.now
            for drop in present where !inotify.isWatching(drop) {
                logger.warning("the drop folder disappeared; waiting for it to come back", metadata: ["drop_folder": "\(drop)"])
                present.remove(drop)
                saidMissing.insert(drop)
                board.update { $0.missingDropDirectories.append(drop) }
                nextFullScan = now
            }
            if pending.overflowed {
                logger.warning("inotify's event queue overflowed (fs.inotify.max_queued_events); rescanning every folder")
                engine.metrics.inotifyOverflowed()
            }
            if pending.fullScan { nextFullScan = now }
            for folder in pending.removedFolders { inotify.unwatch(under: folder) }
            for folder in pending.newFolders { watchSetFolder(folder, inotify, limit: &watchLimit) }
            for folder in pending.folders.union(pending.newFolders) {
                due[folder] = now + options.stabilityWindow
            }

            if now >= nextFullScan {
                engine.metrics.rescanned()
                for drop in dropDirectories where !present.contains(drop) {
                    if let unavailable = watchDropFolder(drop, inotify) {
                        if saidMissing.insert(drop).inserted {
                            logger.warning("\(unavailable)", metadata: ["drop_folder": "\(drop)"])
                            board.update { $0.missingDropDirectories.append(drop) }
                        }
                        continue
                    }
                    present.insert(drop)
                    if everSeen.contains(drop) || saidMissing.contains(drop) {
                        logger.notice("the drop folder is back; catching up", metadata: ["drop_folder": "\(drop)"])
                    }
                    saidMissing.remove(drop)
                    board.update { $0.missingDropDirectories.removeAll { $0 == drop } }
                    everSeen.insert(drop)
                }
                due.removeAll()
                for drop in dropDirectories where present.contains(drop) {
                    for name in (try? await engine.listDropDirectory(drop).setFolders) ?? [] {
                        let folder = drop + "/" + name
                        if !inotify.isWatching(folder) { watchSetFolder(folder, inotify, limit: &watchLimit) }
                        due[folder] = now
                    }
                }
                engine.statusFiles?.forgetFolders(except: Set(due.keys))
                engine.metrics.forgetFolders(except: Set(due.keys))
                engine.skipNotices.forgetFolders(except: Set(due.keys).union(dropDirectories))
                verification.keep(only: Set(due.keys))
                if verification.fullScan(found: due.keys, at: now) {
                    logger.info("checking the datastore: each set's blob folder and picture rows", metadata: ["sets": "\(due.count)"])
                }
                let polling = present.count < dropDirectories.count || watchLimit.isReached
                nextFullScan = now + (polling ? options.pollInterval : options.rescanInterval)
                // A round due before the next rescan starts with a scan of its own.
                if let round = verification.nextRound { nextFullScan = min(nextFullScan, max(round, now + .seconds(1))) }
            }

            for (folder, time) in due.sorted(by: { $0.key < $1.key }) where time <= now {
                try Task.checkCancellation()
                due[folder] = nil
                guard FileManager.default.fileExists(atPath: folder) else { continue }
                let report: FolderReport
                do {
                    report = try await engine.syncFolder(folder, readiness: readiness, verifying: verification.isDue(folder) ? .always : .never)
                    verification.checked(folder)
                } catch let error as SyncRunError {
                    enterOutage(error)
                    break
                }
                if let message = outage.message {
                    logger.notice("working again after: \(message)")
                    outage = Outage()
                    board.update { $0.stoppedBy = nil }
                    nextFullScan = clock.now
                }
                board.update { $0.uploadedSinceStart += report.uploaded }
                onPass(report)
                if report.waiting > 0 && report.status == .active {
                    due[folder] = clock.now + max(options.stabilityWindow / 4, .milliseconds(100))
                }
            }

            // Folders skipped as unchanged: their sets are checked at once,
            // when nothing else is due.
            if outage.message == nil, !due.values.contains(where: { $0 <= clock.now }) {
                do {
                    for folder in try await engine.revalidateUnchangedSets() { due[folder] = clock.now }
                } catch let error as SyncRunError {
                    enterOutage(error)
                }
            }

            // The first pass over what was there at start is done (a drop
            // folder missing was said, and is in the status line).
            if !announcedReady {
                board.sendReady(to: systemd)
                announcedReady = true
                onReady()
            }
            let nextDue = [due.values.min(), engine.statusFiles?.flushDue()].compactMap { $0 }.reduce(nextFullScan, min)
            await wakeup.wait(timeout: max(nextDue - clock.now, .milliseconds(10)))
        }
        engine.statusFiles?.flushAll()
        logger.info("stopped watching", metadata: ["drop_folders": "\(dropDirectories.joined(separator: ", "))"])
    }

    /// Watches a drop folder; why not, when it cannot be (absent,
    /// unreadable). Its set folders are watched by the full scan that follows.
    private func watchDropFolder(_ drop: String, _ inotify: Inotify) -> DropFolderUnavailable? {
        do {
            try inotify.watch(drop, mask: Inotify.dropFolderMask)
            return nil
        } catch {
            logger.debug("drop folder not available", metadata: ["error": "\(error)"])
            return DropFolderUnavailable(path: drop, errno: error.errno)
        }
    }

    /// Watches a set folder; when that fails it is still found by the scans.
    private func watchSetFolder(_ path: String, _ inotify: Inotify, limit: inout WatchLimitNotice) {
        guard !options.unwatchedFolderNames.contains((path as NSString).lastPathComponent) else { return }
        do {
            try inotify.watch(path, mask: Inotify.setFolderMask)
        } catch  where error.isLimitReached {
            if limit.reach() {
                logger.warning(
                    "the inotify watch limit is reached: raise fs.inotify.max_user_watches (e.g. `sysctl fs.inotify.max_user_watches=524288`); meanwhile folders without a watch are scanned every \(options.pollInterval)",
                    metadata: ["folder": "\(path)"]
                )
            }
        } catch {
            logger.warning("cannot watch a set folder; it is still scanned every rescan interval", metadata: ["error": "\(error)"])
        }
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

/// Whether the inotify watch limit was reached, and said.
private struct WatchLimitNotice {
    private(set) var isReached = false

    /// Notes the limit; `true` the first time, when it is worth a warning.
    mutating func reach() -> Bool {
        defer { isReached = true }
        return !isReached
    }
}

/// A backend failing for every file, and the growing pause before the next try.
private struct Outage {
    static let firstDelay = Duration.seconds(1)
    static let longestDelay = Duration.seconds(60)

    /// The failure, while it lasts.
    var message: String?
    /// The pause before the next try.
    var delay = Duration.zero

    /// The pause that will follow the next failure.
    var nextDelay: Duration { delay == .zero ? Self.firstDelay : min(delay * 2, Self.longestDelay) }

    mutating func record(_ message: String) {
        self.message = message
        delay = nextDelay
    }
}

/// Tells the inotify reading thread to stop.
private final class StopFlag: Sendable {
    private let flag = Atomic(false)

    var isSet: Bool { flag.load(ordering: .acquiring) }

    func set() { flag.store(true, ordering: .releasing) }
}
