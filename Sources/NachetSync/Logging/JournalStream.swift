import Foundation
import Glibc

/// The journal stream systemd connected a service's output to, named by
/// `JOURNAL_STREAM=device:inode` (systemd.exec(5)).
///
/// Lines written to that stream may start with an `sd-daemon(3)` priority
/// prefix (`<3>` for an error), which journald strips and files the line
/// under, so `journalctl -p err` finds it. The variable alone proves
/// nothing: children inherit it even when their standard error goes to a
/// file or a terminal, where a `<3>` would be noise. As systemd.exec(5)
/// says, a program compares the variable with the device and inode of its
/// own descriptor, and only marks its lines when both match.
package struct JournalStream: Sendable, Equatable {
    /// The stream's device number (`st_dev`), as systemd prints it.
    package var device: UInt64
    /// The stream's inode number (`st_ino`).
    package var inode: UInt64

    package init(device: UInt64, inode: UInt64) {
        self.device = device
        self.inode = inode
    }

    /// Parses `JOURNAL_STREAM`'s `device:inode` (both decimal).
    /// - Returns: `nil` for anything else.
    package init?(_ value: String) {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return nil }
        self.init(device: device, inode: inode)
    }

    /// The device and inode of the open `descriptor`, `nil` when it is not open.
    package init?(descriptor: Int32) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { return nil }
        self.init(device: UInt64(status.st_dev), inode: UInt64(status.st_ino))
    }

    /// Whether `descriptor` is the journal stream `environment` names.
    /// - Parameters:
    ///   - descriptor: The descriptor log lines are written to.
    ///   - environment: Where `JOURNAL_STREAM` is looked up.
    package static func isJournal(
        descriptor: Int32,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Bool {
        guard let named = environment["JOURNAL_STREAM"].flatMap(JournalStream.init(_:)) else { return false }
        return JournalStream(descriptor: descriptor) == named
    }

    /// Whether this process's standard error is the journal, found once.
    package static let standardErrorIsJournal = isJournal(descriptor: STDERR_FILENO)
}
