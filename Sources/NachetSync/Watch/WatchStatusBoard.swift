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
    ///
    /// The line is made and sent under one lock, here and in
    /// ``sendReady(to:)``: a line made before a change and sent after the
    /// newer one would otherwise stay on show, since it would then be the
    /// last one "sent" with the newer one already marked as sent.
    func send(to systemd: SystemdNotifier) {
        lastSent.withLock { last in
            let line = current.line
            guard last != line else { return }
            systemd.status(line)
            last = line
        }
    }

    /// Sends `READY=1` with the line.
    func sendReady(to systemd: SystemdNotifier) {
        lastSent.withLock { last in
            let line = current.line
            systemd.ready(status: line)
            last = line
        }
    }

    /// Keeps systemd's status line up to date until the task is cancelled
    /// (the watchdog is fed by the process's lifecycle, reloads included).
    func keepSystemdInformed(_ systemd: SystemdNotifier) -> Task<Void, Never> {
        Task {
            guard systemd.isActive else { return }
            await keepSending(to: systemd)
        }
    }

    /// Sends the line every second while it changes, until cancelled.
    func keepSending(to systemd: SystemdNotifier) async {
        while !Task.isCancelled {
            send(to: systemd)
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
