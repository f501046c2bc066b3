import Foundation
import Logging

/// One run of the live agent, the side that acts: it holds what the run
/// opened and the ``WatchScheduler`` that decides what to do next, does
/// what the scheduler says (watch folders, list them, pass over them), and
/// tells it how that went.
struct WatchLoop {
    let watcher: DropFolderWatcher
    let inotify: Inotify
    let board: WatchStatusBoard
    let clock = ContinuousClock()
    /// When files are taken: unchanged for the stability window.
    let readiness: StabilityTracker
    private(set) var scheduler: WatchScheduler
    private var drops: DropFolderPresence
    private var watchLimit = WatchLimitNotice()

    private var engine: SyncEngine { watcher.engine }
    private var logger: Logger { watcher.logger }
    private var options: WatchOptions { watcher.options }

    init(watcher: DropFolderWatcher, inotify: Inotify, board: WatchStatusBoard) {
        self.watcher = watcher
        self.inotify = inotify
        self.board = board
        readiness = StabilityTracker(window: watcher.options.stabilityWindow)
        scheduler = WatchScheduler(options: watcher.options, start: clock.now)
        drops = DropFolderPresence(watcher.dropDirectories)
    }

    /// Acts on what inotify saw: drop folders gone, set folders come and
    /// gone (watched or unwatched), folders with activity.
    mutating func take(_ pending: FolderChanges.Pending) {
        let now = clock.now
        for drop in drops.present where !inotify.isWatching(drop) {
            logger.warning("the drop folder disappeared; waiting for it to come back", metadata: ["drop_folder": "\(drop)"])
            drops.vanished(drop)
            board.update { $0.missingDropDirectories.append(drop) }
            scheduler.dropFolderVanished(at: now)
        }
        if pending.overflowed {
            logger.warning("inotify's event queue overflowed (fs.inotify.max_queued_events); rescanning every folder")
            engine.metrics.inotifyOverflowed()
        }
        for folder in pending.removedFolders { inotify.unwatch(under: folder) }
        for folder in pending.newFolders { watchSetFolder(folder) }
        scheduler.take(pending, at: now)
    }

    /// The full scan: looks for the drop folders missing, then lists and
    /// watches every set folder, each due for a pass now; what is kept of
    /// folders no longer there is forgotten.
    mutating func scanEverything() async {
        engine.metrics.rescanned()
        let now = clock.now
        watchAbsentDropFolders()
        var found: Set<String> = []
        for drop in drops.all where drops.present.contains(drop) {
            for name in (try? await engine.listDropDirectory(drop).setFolders) ?? [] {
                let folder = drop + "/" + name
                if !inotify.isWatching(folder) { watchSetFolder(folder) }
                found.insert(folder)
            }
        }
        engine.statusFiles?.forgetFolders(except: found)
        engine.metrics.forgetFolders(except: found)
        engine.skipNotices.forgetFolders(except: found.union(drops.all))
        let polling = !drops.absent.isEmpty || watchLimit.isReached
        if scheduler.fullScanFound(found, polling: polling, at: now) {
            logger.info("checking the datastore: each set's blob folder and picture rows", metadata: ["sets": "\(found.count)"])
        }
    }

    /// Passes over the folders due, several at once, started in name
    /// order, until one fails for every file (then the scheduler pauses
    /// everything, and the passes in flight are cancelled: nothing they did
    /// is lost, and the folders are passed over again after the pause).
    mutating func passDueFolders(onPass: @Sendable (FolderReport) -> Void) async throws {
        var passes: [(path: String, verifying: DatastoreChecking)] = []
        for folder in scheduler.dueFolders(at: clock.now) {
            let verifying = scheduler.passStarts(folder)
            guard FileManager.default.fileExists(atPath: folder) else { continue }
            passes.append((folder, verifying ? .always : .never))
        }
        guard !passes.isEmpty else { return }
        do {
            try await engine.recogniseDestination()
            try await engine.syncFolders(passes, readiness: readiness) { _, report in
                let filesWaiting = report.waiting > 0 && report.status == .active
                if let ended = scheduler.passEnded(report.path, filesWaiting: filesWaiting, at: clock.now) {
                    logger.notice("working again after: \(ended)")
                    board.update { $0.stoppedBy = nil }
                }
                board.update { status in
                    status.uploadedSinceStart += report.uploaded
                    if report.uploaded > 0 { status.lastUploadAt = Date() }
                }
                onPass(report)
            }
        } catch let error as SyncRunError {
            enterOutage(error)
        }
    }

    /// Folders skipped as unchanged: their sets are checked at once, when
    /// nothing else is due; the folders of sets found gone are due now.
    mutating func recheckUnchangedSetsWhenIdle() async throws {
        guard scheduler.isIdle(at: clock.now) else { return }
        do {
            scheduler.passNow(try await engine.revalidateUnchangedSets(), at: clock.now)
        } catch let error as SyncRunError {
            enterOutage(error)
        }
    }

    /// The destination or the state file is failing for every file: say so
    /// once, keep watching, and retry everything after a growing pause.
    /// Nothing was recorded for the files not stored, so nothing is lost.
    private mutating func enterOutage(_ error: SyncRunError) {
        let (isNew, retryIn) = scheduler.passFailed(error.message, at: clock.now)
        if isNew { logger.error("\(error.message)", metadata: ["retry_in": "\(retryIn)"]) }
        engine.metrics.failed(error.reason)
        board.update { $0.stoppedBy = error.message }
    }

    /// Watches each drop folder not watched yet; one missing is said once,
    /// and its return too.
    private mutating func watchAbsentDropFolders() {
        for drop in drops.absent {
            do {
                try inotify.watch(drop, mask: Inotify.dropFolderMask)
            } catch {
                logger.debug("drop folder not available", metadata: ["error": "\(error)"])
                if drops.unavailable(drop) {
                    logger.warning("\(DropFolderUnavailable(path: drop, errno: error.errno))", metadata: ["drop_folder": "\(drop)"])
                    board.update { $0.missingDropDirectories.append(drop) }
                }
                continue
            }
            if drops.available(drop) {
                logger.notice("the drop folder is back; catching up", metadata: ["drop_folder": "\(drop)"])
            }
            board.update { $0.missingDropDirectories.removeAll { $0 == drop } }
        }
    }

    /// Watches a set folder; when that fails it is still found by the scans.
    private mutating func watchSetFolder(_ path: String) {
        guard !options.unwatchedFolderNames.contains((path as NSString).lastPathComponent) else { return }
        do {
            try inotify.watch(path, mask: Inotify.setFolderMask)
        } catch where error.isLimitReached {
            if watchLimit.reach() {
                logger.warning(
                    "the inotify watch limit is reached: raise fs.inotify.max_user_watches (e.g. `sysctl fs.inotify.max_user_watches=524288`); meanwhile folders without a watch are scanned every \(options.pollInterval)",
                    metadata: ["folder": "\(path)"]
                )
            }
        } catch {
            logger.warning("cannot watch a set folder; it is still scanned every rescan interval", metadata: ["error": "\(error)"])
        }
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
