import Foundation
import Glibc
import Logging
import Synchronization

/// Writes `nachet-sync-status.txt` into each set folder: where the folder
/// stands, in the words `nachet-sync status` uses, where the technician looks.
///
/// A file is replaced atomically (a hidden temporary name, then a rename), only
/// when what it says changes, and at most once per `minimumInterval`; a change
/// that comes sooner is held until ``flushDue()``. The agent ignores the file
/// and its temporary name.
package final class StatusFileWriter: Sendable {
    /// The status file's name in each set folder.
    package static let fileName = "nachet-sync-status.txt"
    static let temporaryName = "." + fileName + ".tmp"
    /// The names the writer puts in a set folder: never inputs, never reported.
    package static let ownNames: Set<String> = [fileName, temporaryName]

    private struct Folder {
        /// What the file says now, without its time line.
        var written: String?
        var writtenAt: ContinuousClock.Instant?
        /// What it should say, when a write is held back.
        var held: FolderStatus?
        /// Whether a failure to write it was already logged.
        var warned = false

        mutating func markWritten(_ body: String, at time: ContinuousClock.Instant) {
            held = nil
            written = body
            writtenAt = time
        }
    }

    /// The shortest time between two writes of one folder's file.
    package let minimumInterval: Duration
    private let logger: Logger
    private let clock = ContinuousClock()
    private let folders = Mutex<[String: Folder]>([:])

    /// Whether set folders that are symbolic links are written into.
    private let followsSymlinks: Bool

    package init(minimumInterval: Duration = .seconds(1), followingSymlinks: Bool = false, logger: Logger) {
        self.minimumInterval = minimumInterval
        self.followsSymlinks = followingSymlinks
        self.logger = logger
    }

    /// Brings the folder's file up to date with a pass's `status`, now or,
    /// when the file was written less than `minimumInterval` ago, later.
    package func record(_ status: FolderStatus) {
        let now = clock.now
        let body = Self.body(of: status)
        let writeNow = folders.withLock { folders in
            var folder = folders[status.path] ?? Folder()
            defer { folders[status.path] = folder }
            if folder.written == body {
                folder.held = nil
                return false
            }
            if let writtenAt = folder.writtenAt, now - writtenAt < minimumInterval {
                folder.held = status
                return false
            }
            folder.markWritten(body, at: now)
            return true
        }
        if writeNow { write(status, body: body) }
    }

    /// Writes the held changes whose time has come.
    /// - Returns: When the next held change is due, or `nil` when none is held.
    @discardableResult
    package func flushDue() -> ContinuousClock.Instant? {
        writeHeld { now, writtenAt in now - writtenAt >= minimumInterval }
        return folders.withLock { folders in
            folders.values.compactMap { folder in folder.held == nil ? nil : folder.writtenAt.map { $0 + minimumInterval } }.min()
        }
    }

    /// Writes every held change now (at the end of a one-shot `sync`).
    package func flushAll() {
        writeHeld { _, _ in true }
    }

    /// Writes the held changes of the folders `isDue` picks, given the time
    /// now and when each file was last written.
    private func writeHeld(when isDue: (ContinuousClock.Instant, ContinuousClock.Instant) -> Bool) {
        let now = clock.now
        let due = folders.withLock { folders in
            var due: [(status: FolderStatus, body: String)] = []
            for (path, var folder) in folders {
                guard let held = folder.held, folder.writtenAt.map({ isDue(now, $0) }) ?? true else { continue }
                let body = Self.body(of: held)
                folder.markWritten(body, at: now)
                folders[path] = folder
                due.append((held, body))
            }
            return due
        }
        for (status, body) in due { write(status, body: body) }
    }

    /// Forgets every folder but those in `present`, after a full scan of the
    /// drop folders, so the table does not grow with every set folder ever
    /// seen over months of `watch`.
    package func forgetFolders(except present: Set<String>) {
        folders.withLock { folders in folders = folders.filter { present.contains($0.key) } }
    }

    /// The folders whose file is being kept track of.
    package var trackedFolders: Set<String> {
        folders.withLock { Set($0.keys) }
    }

    /// What the file says besides the time it was written.
    static func body(of status: FolderStatus) -> String {
        status.detailLines.joined(separator: "\n") + "\n"
    }

    private func write(_ status: FolderStatus, body: String) {
        let time = Date().formatted(.iso8601)
        let text = "nachet-sync, \(time): this folder's upload to Nachet (written by the agent; do not edit)\n" + body
        let problem = Self.replaceFile(in: status.path, with: Data(text.utf8), followingSymlinks: followsSymlinks)
        let firstFailure = folders.withLock { folders in
            defer { folders[status.path]?.warned = problem != nil }
            return problem != nil && folders[status.path]?.warned != true
        }
        if let problem, firstFailure {
            logger.warning(
                "cannot write the folder's status file (\(problem)); uploads go on, `nachet-sync status` shows the same",
                metadata: ["folder": "\(status.path)", "file": "\(Self.fileName)"]
            )
        }
    }

    /// Writes `contents` as the status file of `folder`: through the folder
    /// opened without following a link (a set folder swapped for a link to
    /// `/etc` is not written into), under a temporary name created anew,
    /// then renamed over the file. The file gets the owner, group and mode
    /// of the folder's `metadata.json`, whose values it repeats, so it is
    /// never readable by more people than that file.
    /// - Returns: Why it could not be written, or `nil`.
    private static func replaceFile(in folder: String, with contents: Data, followingSymlinks: Bool) -> String? {
        let directory: DirectoryHandle
        do {
            directory = try DirectoryHandle(opening: folder, followingSymlinks: followingSymlinks)
        } catch {
            return String(cString: strerror(error.errno))
        }
        var source = stat()
        let hasSource = fstatat(directory.descriptor, SetFolderListing.metadataFileName, &source, AT_SYMLINK_NOFOLLOW) == 0
        let mode = hasSource ? mode_t(source.st_mode) & 0o666 : 0o644
        unlinkat(directory.descriptor, temporaryName, 0)
        let descriptor = openat(directory.descriptor, temporaryName, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        var failure: Int32?
        contents.withUnsafeBytes { bytes in
            var written = 0
            while written < bytes.count, failure == nil, let base = bytes.baseAddress {
                let count = Glibc.write(descriptor, base + written, bytes.count - written)
                if count < 0 {
                    if errno != EINTR { failure = errno }
                } else {
                    written += count
                }
            }
        }
        if hasSource && geteuid() == 0 { _ = fchown(descriptor, source.st_uid, source.st_gid) }
        if failure == nil && fchmod(descriptor, mode) != 0 { failure = errno }
        close(descriptor)
        if failure == nil && renameat(directory.descriptor, temporaryName, directory.descriptor, fileName) != 0 { failure = errno }
        guard let failure else { return nil }
        unlinkat(directory.descriptor, temporaryName, 0)
        return String(cString: strerror(failure))
    }
}
