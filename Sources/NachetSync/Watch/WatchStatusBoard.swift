import Foundation
import Synchronization

/// The live agent's ``WatchStatus``, written by the watch loop and sent to
/// systemd by a task of its own, once a second when it changed: a pass
/// blocked for minutes retrying a store still shows the trouble at once.
final class WatchStatusBoard: Sendable {
    private let status: Mutex<WatchStatus>
    private let lastSent = Mutex<String?>(nil)
    private let health: StoreHealth?

    init(dropDirectories: [String], health: StoreHealth?) {
        status = Mutex(WatchStatus(dropDirectories: dropDirectories))
        self.health = health
    }

    /// Changes what the loop knows.
    func update(_ change: (inout WatchStatus) -> Void) {
        status.withLock { change(&$0) }
    }

    /// The status now, with the stores' troubles.
    var current: WatchStatus {
        var current = status.withLock { $0 }
        current.troubles = health?.troubles ?? []
        return current
    }

    /// Sends the line when it differs from the last one sent.
    func send(to systemd: SystemdNotifier) {
        let line = current.line
        let changed = lastSent.withLock { last in
            defer { last = line }
            return last != line
        }
        if changed { systemd.status(line) }
    }

    /// Sends `READY=1` with the line.
    func sendReady(to systemd: SystemdNotifier) {
        let line = current.line
        lastSent.withLock { $0 = line }
        systemd.ready(status: line)
    }

    /// Sends the line every second while it changes, until cancelled.
    func keepSending(to systemd: SystemdNotifier) async {
        while !Task.isCancelled {
            send(to: systemd)
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
