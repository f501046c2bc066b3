import Foundation
import Glibc
import Logging
import Synchronization

/// The live agent: watches a drop folder with inotify and feeds the engine
/// the set folders that changed, once they have been quiet for the
/// stability window; scans everything at start and every rescan interval.
public struct DropFolderWatcher: Sendable {
    let dropDirectory: String
    let engine: SyncEngine
    let options: WatchOptions
    let logger: Logger

    public init(dropDirectory: String, engine: SyncEngine, options: WatchOptions, logger: Logger) {
        self.dropDirectory = dropDirectory
        self.engine = engine
        self.options = options
        self.logger = logger
    }

    /// Runs until the task is cancelled (SIGINT/SIGTERM). The file being
    /// stored when cancellation comes is finished; nothing else is started.
    /// - Parameter onPass: Called with the report of every folder pass.
    public func run(onPass: @Sendable (FolderReport) -> Void = { _ in }) async throws {
        let inotify = try Inotify()
        let changes = FolderChanges()
        let wakeup = Wakeup()
        let readiness = StabilityTracker(window: options.stabilityWindow)
        let clock = ContinuousClock()
        let stop = StopFlag()

        let reader = Thread {
            while !stop.isSet {
                let events = inotify.read(timeoutMilliseconds: 500)
                guard !events.isEmpty else { continue }
                changes.update { Self.record(events, in: &$0, dropDirectory: dropDirectory) }
                wakeup.signal()
            }
        }
        reader.name = "inotify"
        reader.start()
        defer { stop.set() }

        var dropFolderPresent = false
        var everSeen = false
        var outage = Outage()
        let systemd = SystemdNotifier()
        var announcedReady = false
        var uploadedSinceStart = 0
        var lastStatus = clock.now - .seconds(10)
        // Watchdog pings come from a task of their own, so a long upload
        // (a large file to a slow network) never looks like a hang.
        let watchdog = Task {
            guard let interval = systemd.watchdogInterval else { return }
            while !Task.isCancelled {
                systemd.watchdog()
                try? await Task.sleep(for: interval)
            }
        }
        defer {
            watchdog.cancel()
            systemd.stopping()
        }
        var due: [String: ContinuousClock.Instant] = [:]
        var nextFullScan = clock.now

        logger.info(
            "watching",
            metadata: [
                "drop_folder": "\(dropDirectory)",
                "stability_window": "\(options.stabilityWindow)",
                "rescan_interval": "\(options.rescanInterval)",
            ]
        )
        while !Task.isCancelled {
            let pending = changes.take()
            let now = clock.now
            if dropFolderPresent && !inotify.isWatching(dropDirectory) {
                logger.warning("the drop folder disappeared; waiting for it to come back", metadata: ["drop_folder": "\(dropDirectory)"])
                dropFolderPresent = false
                nextFullScan = now
            }
            if pending.overflowed {
                logger.warning(
                    "inotify's event queue overflowed (fs.inotify.max_queued_events); rescanning every folder",
                    metadata: ["drop_folder": "\(dropDirectory)"]
                )
            }
            if pending.fullScan { nextFullScan = now }
            for folder in pending.removedFolders { inotify.unwatch(under: folder) }
            for folder in pending.newFolders { watchSetFolder(folder, inotify) }
            for folder in pending.folders.union(pending.newFolders) {
                due[folder] = now + options.stabilityWindow
            }

            if now >= nextFullScan {
                if !dropFolderPresent {
                    dropFolderPresent = watchDropFolder(inotify)
                    if dropFolderPresent && everSeen {
                        logger.notice("the drop folder is back; catching up", metadata: ["drop_folder": "\(dropDirectory)"])
                    }
                    everSeen = everSeen || dropFolderPresent
                }
                if dropFolderPresent {
                    due.removeAll()
                    for folder in (try? DirectoryEntries.subdirectories(of: dropDirectory)) ?? [] {
                        due[dropDirectory + "/" + folder] = now
                    }
                }
                nextFullScan = now + (dropFolderPresent ? options.rescanInterval : min(options.rescanInterval, .seconds(5)))
            }

            for (folder, time) in due.sorted(by: { $0.key < $1.key }) where time <= now {
                try Task.checkCancellation()
                due[folder] = nil
                guard FileManager.default.fileExists(atPath: folder) else { continue }
                let report: FolderReport
                do {
                    report = try await engine.syncFolder(folder, readiness: readiness)
                } catch let error as SyncRunError {
                    // The catalogue, blob store or state file is failing for
                    // every file: say so once, keep watching, and retry
                    // everything after a growing pause. Nothing was recorded
                    // for the files not stored, so nothing is lost.
                    if outage.message != error.message {
                        logger.error("\(error.message)", metadata: ["retry_in": "\(outage.nextDelay)"])
                    }
                    outage.record(error.message)
                    due.removeAll()
                    nextFullScan = clock.now + outage.delay
                    break
                }
                if let message = outage.message {
                    logger.notice("working again after: \(message)")
                    outage = Outage()
                    nextFullScan = clock.now
                }
                uploadedSinceStart += report.uploaded
                if systemd.isActive && clock.now - lastStatus >= .seconds(1) {
                    systemd.status("watching \(dropDirectory): \(uploadedSinceStart) pictures uploaded since start")
                    lastStatus = clock.now
                }
                onPass(report)
                if report.waiting > 0 && report.status == .active {
                    due[folder] = clock.now + max(options.stabilityWindow / 4, .milliseconds(100))
                }
            }

            // The first pass over what was there at start is done.
            if !announcedReady && dropFolderPresent {
                systemd.ready(status: "watching \(dropDirectory)")
                announcedReady = true
            }
            let nextDue = due.values.min().map { min($0, nextFullScan) } ?? nextFullScan
            await wakeup.wait(timeout: max(nextDue - clock.now, .milliseconds(10)))
        }
        logger.info("stopped watching", metadata: ["drop_folder": "\(dropDirectory)"])
    }

    /// Watches the drop folder and its set folders; `false` when it is absent.
    private func watchDropFolder(_ inotify: Inotify) -> Bool {
        do {
            try inotify.watch(dropDirectory, mask: Inotify.dropFolderMask)
        } catch {
            logger.debug("drop folder not available", metadata: ["error": "\(error)"])
            return false
        }
        for folder in (try? DirectoryEntries.subdirectories(of: dropDirectory)) ?? [] {
            watchSetFolder(dropDirectory + "/" + folder, inotify)
        }
        return true
    }

    private func watchSetFolder(_ path: String, _ inotify: Inotify) {
        do {
            try inotify.watch(path, mask: Inotify.setFolderMask)
        } catch {
            logger.warning("cannot watch a set folder; it is still scanned every rescan interval", metadata: ["error": "\(error)"])
        }
    }

    /// Folds inotify events into the pending changes.
    static func record(_ events: [Inotify.Event], in pending: inout FolderChanges.Pending, dropDirectory: String) {
        for event in events {
            if event.isOverflow {
                pending.fullScan = true
                pending.overflowed = true
                continue
            }
            guard let directory = event.directory else { continue }
            if directory == dropDirectory {
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
            } else if !event.watchEnded || event.name.isEmpty {
                pending.folders.insert(directory)
            }
        }
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
