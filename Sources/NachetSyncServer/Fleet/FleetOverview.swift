import Foundation
import NachetSync

/// The fleet as the page and `/fleet.json` show it, judged at one moment:
/// one row per lab PC, every PC the store knows and every lab PC's token
/// never used yet.
struct FleetOverview: Sendable {
    /// One lab PC.
    struct Row: Sendable {
        var name: String
        /// What the store knows; `nil` for a token never used.
        var machine: FleetMachine?
        /// Whether its token is in the tokens file (always, without tokens).
        var hasToken: Bool
        var standing: FleetStanding

        init(name: String, machine: FleetMachine?, hasToken: Bool, now: Date, quietAfter: Duration) {
            self.name = name
            self.machine = machine
            self.hasToken = hasToken
            standing = .of(machine, hasToken: hasToken, now: now, quietAfter: quietAfter)
        }
    }

    var rows: [Row]
    /// When it was judged.
    var now: Date
    /// How long a PC may go unseen before it counts as quiet.
    var quietAfter: Duration
    /// The first day of the "last 7 days" (UTC).
    var weekStart: FleetDay
    /// Today (UTC).
    var today: FleetDay

    /// The rows of `machines` and of the lab PC tokens of `labPCNames`
    /// never seen; `labPCNames` is `nil` on a server without tokens.
    init(machines: [FleetMachine], labPCNames: Set<String>?, now: Date, quietAfter: Duration) {
        self.now = now
        self.quietAfter = quietAfter
        today = FleetDay(now)
        weekStart = FleetDay.daysBefore(Self.weekDays - 1, now)
        let seen = Set(machines.map(\.name))
        rows =
            machines.map { machine in
                Row(
                    name: machine.name, machine: machine, hasToken: labPCNames?.contains(machine.name) ?? true, now: now,
                    quietAfter: quietAfter)
            }
            + (labPCNames ?? []).subtracting(seen).map { name in
                Row(name: name, machine: nil, hasToken: true, now: now, quietAfter: quietAfter)
            }
    }

    /// Days the list sums up ("last 7 days").
    static let weekDays = 7

    /// How many PCs show each light.
    var counts: [FleetStanding.Light: Int] {
        rows.reduce(into: [:]) { $0[$1.standing.light, default: 0] += 1 }
    }

    /// The rows in `order`; ties by name.
    func rows(in order: FleetOrder) -> [Row] {
        rows.sorted { first, second in
            switch order {
            case .state where first.standing.light != second.standing.light:
                return first.standing.light > second.standing.light
            case .lastSeen(let newestFirst) where first.machine?.lastSeen != second.machine?.lastSeen:
                // Never seen counts as the oldest.
                let (a, b) = (first.machine?.lastSeen ?? .distantPast, second.machine?.lastSeen ?? .distantPast)
                return newestFirst ? a > b : a < b
            default:
                return first.name < second.name
            }
        }
    }
}

extension FleetOverview.Row {
    /// Pictures stored from `firstDay` on.
    func stored(from firstDay: FleetDay) -> FleetDayCount {
        (machine?.days ?? [:]).filter { $0.key >= firstDay }.values.reduce(FleetDayCount()) { $0.adding($1) }
    }
}

/// How the fleet's rows are ordered: `?sort=state` (the default: red first),
/// `?sort=name`, `?sort=last-seen` (oldest first; `&order=desc`, newest).
enum FleetOrder: Sendable, Equatable {
    case state
    case name
    case lastSeen(newestFirst: Bool)

    /// The order a query asks for; the default for anything else.
    init(sort: String?, order: String?) {
        switch sort {
        case "name": self = .name
        case "last-seen": self = .lastSeen(newestFirst: order == "desc")
        default: self = .state
        }
    }

    /// The query asking for this order.
    var query: String {
        switch self {
        case .state: "?sort=state"
        case .name: "?sort=name"
        case .lastSeen(let newestFirst): newestFirst ? "?sort=last-seen&order=desc" : "?sort=last-seen"
        }
    }
}
