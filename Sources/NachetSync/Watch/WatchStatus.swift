import Foundation

/// What the live agent tells systemd in its `STATUS=` line (`systemctl
/// status nachet-sync`): the folders it watches, what it uploaded, and
/// whatever keeps it from working — a store it cannot reach, a drop folder
/// missing, a pass stopped by a failure — so a service that looks active is
/// never silently idle.
public struct WatchStatus: Sendable, Equatable {
    /// Every drop folder served.
    public var dropDirectories: [String]
    /// Drop folders that cannot be watched now (missing, unreadable).
    public var missingDropDirectories: [String] = []
    /// Pictures uploaded since the agent started.
    public var uploadedSinceStart = 0
    /// Stores failing now, from ``StoreHealth``.
    public var troubles: [StoreHealth.Trouble] = []
    /// The failure that stopped the last pass, while it lasts (a store given
    /// up on, the state file, a refused login).
    public var stoppedBy: String?

    public init(dropDirectories: [String]) {
        self.dropDirectories = dropDirectories
    }

    /// The line: `watching /srv/a: 12 pictures uploaded since start`, then
    /// each problem after a `;`.
    public var line: String {
        (["watching \(dropDirectories.joined(separator: ", ")): \(uploadedSinceStart) pictures uploaded since start"] + problems)
            .joined(separator: "; ")
    }

    /// What keeps the agent from working, one short phrase each; empty when
    /// all is well.
    public var problems: [String] {
        var problems = missingDropDirectories.map { "drop folder missing: \($0)" }
        problems += troubles.map { trouble in
            "\(trouble.store) unreachable since \(Self.time(trouble.since)) (\(trouble.cause))"
        }
        if troubles.isEmpty, let stoppedBy {
            problems.append("paused: " + (stoppedBy.count > 160 ? String(stoppedBy.prefix(160)) + "…" : stoppedBy))
        }
        return problems
    }

    /// `14:03:12`, in the PC's time zone, as `systemctl status` shows its own times.
    static func time(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
