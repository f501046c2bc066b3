import Foundation
import NachetSync

/// `GET /fleet.json`: what the page shows, for scripts, each PC with its
/// last report whole. Times in ISO 8601 (UTC); a time never known is left out.
struct FleetJSON: Encodable {
    var generated_at: String
    var serve_version: String
    var quiet_after_seconds: Double
    /// How many PCs show each light.
    var counts: [String: Int]
    var pcs: [PC]

    struct PC: Encodable {
        var name: String
        /// `green`, `amber` or `red` (``FleetStanding``).
        var state: String
        var why: [String]
        /// Whether its token is in the tokens file.
        var has_token: Bool
        var first_seen: String?
        var last_seen: String?
        var last_seen_seconds_ago: Double?
        var last_report: String?
        var last_upload: String?
        var stored_today: Count
        var stored_last_7_days: Count
        /// Its agent's last report, as sent; absent for an agent that sends none.
        var report: NachetWire.AgentReport?
    }

    struct Count: Encodable {
        var pictures: Int64
        var bytes: Int64
        var already_there: Int64

        init(_ count: FleetDayCount) {
            pictures = count.pictures
            bytes = count.bytes
            already_there = count.alreadyThere
        }
    }

    init(_ overview: FleetOverview, order: FleetOrder) {
        generated_at = FleetTime.iso(overview.now)
        serve_version = NachetSyncVersion.current
        quiet_after_seconds = overview.quietAfter.seconds
        counts = Dictionary(uniqueKeysWithValues: FleetStanding.Light.allCases.map { ($0.rawValue, overview.counts[$0, default: 0]) })
        pcs = overview.rows(in: order).map { row in
            let machine = row.machine
            return PC(
                name: row.name, state: row.standing.light.rawValue, why: row.standing.reasons, has_token: row.hasToken,
                first_seen: machine.map { FleetTime.iso($0.firstSeen) }, last_seen: machine.map { FleetTime.iso($0.lastSeen) },
                last_seen_seconds_ago: machine.map { (overview.now.timeIntervalSince($0.lastSeen) * 10).rounded() / 10 },
                last_report: machine?.reportedAt.map(FleetTime.iso), last_upload: machine?.lastUpload.map(FleetTime.iso),
                stored_today: Count(row.stored(from: overview.today)), stored_last_7_days: Count(row.stored(from: overview.weekStart)),
                report: machine?.report)
        }
    }
}
