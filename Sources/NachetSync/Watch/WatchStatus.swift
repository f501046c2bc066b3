import Foundation

/// What the live agent tells systemd in its `STATUS=` line (`systemctl
/// status nachet-sync`): the folders it watches, what it uploaded, and
/// whatever keeps it from working — a store it cannot reach, a drop folder
/// missing, a pass stopped by a failure — so a service that looks active is
/// never silently idle.
package struct WatchStatus: Sendable, Equatable {
    /// Every drop folder served.
    package var dropDirectories: [String]
    /// Drop folders that cannot be watched now (missing, unreadable).
    package var missingDropDirectories: [String] = []
    /// Pictures uploaded since the agent started.
    package var uploadedSinceStart = 0
    /// When the last pass that stored pictures ended; `nil` before one.
    package var lastUploadAt: Date?
    /// Stores failing now, from ``StoreHealth``.
    package var troubles: [StoreHealth.Trouble] = []
    /// The failure that stopped the last pass, while it lasts (a store given
    /// up on, the state file, a refused login).
    package var stoppedBy: String?

    package init(dropDirectories: [String]) {
        self.dropDirectories = dropDirectories
    }

    /// The line: `watching /srv/a: 12 pictures uploaded since start`, then
    /// each problem after a `;`.
    package var line: String {
        (["watching \(dropDirectories.joined(separator: ", ")): \(uploadedSinceStart) pictures uploaded since start"] + problems)
            .joined(separator: "; ")
    }

    /// What keeps the agent from working, one short phrase each; empty when
    /// all is well.
    package var problems: [String] {
        outages.map { outage in
            outage.what + (outage.since.map { " since \(Self.time($0))" } ?? "") + (outage.cause.map { " (\($0))" } ?? "")
        }
    }

    /// One thing keeping the agent from working.
    package struct Outage: Sendable, Equatable {
        /// What, in a short phrase: `blob store unreachable`, `drop folder
        /// missing: /srv/a`, `paused: …`.
        package var what: String
        /// Why, when known: `connection refused`.
        package var cause: String?
        /// Since when, when known.
        package var since: Date?

        package init(what: String, cause: String? = nil, since: Date? = nil) {
            self.what = what
            self.cause = cause
            self.since = since
        }
    }

    /// What keeps the agent from working (``problems`` says each in words;
    /// its report to `serve` too).
    package var outages: [Outage] {
        var outages = missingDropDirectories.map { Outage(what: "drop folder missing: \($0)") }
        outages += troubles.map { Outage(what: "\($0.store) unreachable", cause: $0.cause, since: $0.since) }
        if troubles.isEmpty, let stoppedBy {
            outages.append(Outage(what: "paused: " + (stoppedBy.count > 160 ? String(stoppedBy.prefix(160)) + "…" : stoppedBy)))
        }
        return outages
    }

    /// `14:03:12`, in the PC's time zone, as `systemctl status` shows its own times.
    static func time(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&seconds, &parts)
        return String(format: "%02d:%02d:%02d", parts.tm_hour, parts.tm_min, parts.tm_sec)
    }
}
