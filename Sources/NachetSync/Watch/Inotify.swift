import CNachetShims
import Foundation
import Glibc
import Synchronization

/// A Linux inotify instance: watches directories and reads their events.
///
/// Only used from the watcher's reading thread and the loop that adds
/// watches; the watch table is behind a lock.
final class Inotify: Sendable {
    /// One event, with the watched directory it happened in.
    struct Event: Sendable {
        /// The watched directory, or `nil` when the kernel's queue overflowed.
        var directory: String?
        /// The entry's name inside `directory`; empty for events on the directory itself.
        var name: String
        var mask: UInt32

        var isOverflow: Bool { mask & UInt32(IN_Q_OVERFLOW) != 0 }
        var isDirectory: Bool { mask & UInt32(IN_ISDIR) != 0 }
        /// The watched directory itself was deleted, moved, or unmounted.
        var watchEnded: Bool { mask & UInt32(IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF | IN_UNMOUNT) != 0 }
    }

    /// Events on a drop folder: set folders coming and going.
    static let dropFolderMask = UInt32(IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
    /// Events on a set folder: files finished, renamed in, changed or removed.
    static let setFolderMask = UInt32(
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_MODIFY | IN_DELETE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF
            | IN_ONLYDIR
    )

    private let descriptor: Int32
    /// An eventfd that ends a ``read(timeoutMilliseconds:)`` at once
    /// (``interrupt()``): the reading thread of a watcher that stops (a
    /// reload) lets go of the instance then, not half a second later, so
    /// its descriptors are closed before the next watcher opens its own.
    private let wakeup: Int32
    private let watches = Mutex<[Int32: String]>([:])
    /// A lower watch limit than the kernel's, for tests of what happens when it is reached.
    private let watchLimit: Int?
    /// A smaller event queue than the kernel's (`fs.inotify.max_queued_events`),
    /// for tests of an overflow: events beyond it in one read are dropped and
    /// an overflow event takes their place, as the kernel does.
    private let queueLimit: Int?

    init(watchLimit: Int? = nil, queueLimit: Int? = nil) throws(WatchError) {
        self.watchLimit = watchLimit
        self.queueLimit = queueLimit
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { throw WatchError(errno: errno, path: nil) }
        wakeup = nachet_eventfd()
        guard wakeup >= 0 else {
            let error = WatchError(errno: errno, path: nil)
            close(descriptor)
            throw error
        }
    }

    deinit {
        close(descriptor)
        close(wakeup)
    }

    /// Ends the ``read(timeoutMilliseconds:)`` waiting now, and every later
    /// one at once: the watcher is stopping.
    func interrupt() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeup, &one, MemoryLayout<UInt64>.size)
    }

    /// Watches `path` for the events of `mask`.
    /// - Throws: ``WatchError``; `isLimitReached` when the user's inotify watch limit is hit.
    func watch(_ path: String, mask: UInt32) throws(WatchError) {
        if let watchLimit, watches.withLock({ $0.count }) >= watchLimit, !isWatching(path) {
            throw WatchError(errno: ENOSPC, path: path)
        }
        let handle = inotify_add_watch(descriptor, path, mask)
        guard handle >= 0 else { throw WatchError(errno: errno, path: path) }
        watches.withLock { $0[handle] = path }
    }

    /// Stops watching `path` and everything under it.
    func unwatch(under path: String) {
        let removed = watches.withLock { watches in
            let handles = watches.filter { $0.value == path || $0.value.hasPrefix(path + "/") }.map(\.key)
            for handle in handles { watches[handle] = nil }
            return handles
        }
        for handle in removed { inotify_rm_watch(descriptor, handle) }
    }

    /// Whether `path` is watched.
    func isWatching(_ path: String) -> Bool {
        watches.withLock { $0.values.contains(path) }
    }

    /// Waits up to `timeoutMilliseconds` for events and returns those read;
    /// none once ``interrupt()`` was called.
    func read(timeoutMilliseconds: Int32) -> [Event] {
        var pollers = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)]
        guard poll(&pollers, 2, timeoutMilliseconds) > 0, pollers[1].revents == 0, pollers[0].revents != 0 else { return [] }
        let bufferSize = 64 * 1024
        return withUnsafeTemporaryAllocation(byteCount: bufferSize, alignment: 8) { buffer in
            let count = Glibc.read(descriptor, buffer.baseAddress, bufferSize)
            guard count > 0 else { return [] }
            var events: [Event] = []
            var offset = 0
            let headerSize = MemoryLayout<inotify_event>.size
            while offset + headerSize <= count {
                let header = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameStart = offset + headerSize
                var name = ""
                if header.len > 0 {
                    let bytes = UnsafeRawBufferPointer(rebasing: buffer[nameStart..<nameStart + Int(header.len)])
                    name = String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
                }
                let directory = watches.withLock { watches in
                    let path = watches[header.wd]
                    if header.mask & UInt32(IN_IGNORED) != 0 { watches[header.wd] = nil }
                    return path
                }
                if directory != nil || header.mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    events.append(Event(directory: directory, name: name, mask: header.mask))
                }
                offset = nameStart + Int(header.len)
            }
            if let queueLimit, events.count > queueLimit {
                events.removeLast(events.count - queueLimit)
                events.append(Event(directory: nil, name: "", mask: UInt32(IN_Q_OVERFLOW)))
            }
            return events
        }
    }
}

/// A directory that could not be watched.
package struct WatchError: Error, CustomStringConvertible, Sendable {
    package var errno: Int32
    package var path: String?

    /// The per-user inotify watch limit is reached.
    package var isLimitReached: Bool { errno == ENOSPC }

    package var description: String {
        let place = path ?? "inotify"
        if isLimitReached {
            return
                "\(place): the inotify watch limit is reached; raise fs.inotify.max_user_watches (sysctl), the folder is scanned periodically meanwhile"
        }
        return "\(place): cannot watch it (\(String(cString: strerror(errno))))"
    }
}
