import Foundation
import Logging
import NachetSync
import ServiceLifecycle
import Synchronization

/// What `serve` learns of its lab PCs, on its way to the fleet store: each
/// PC's requests (last seen, pictures stored) and reports are gathered in
/// memory as they come, at the cost of a dictionary update, and written
/// to the store in one transaction every ``flushInterval`` and before the
/// fleet is read. Uploads never wait for the store.
///
/// What is gathered is bounded: one entry per token name (the tokens file
/// lists them), holding one report (at most 64 KiB) and a day's counts.
/// A store that cannot be written keeps it for the next attempt; a stop
/// writes it last, once the HTTP server has stopped (``ServerWithFleet``).
final class FleetLedger: Sendable {
    /// How often what was gathered is written.
    static let flushInterval = Duration.seconds(5)
    /// Day counts older than this are forgotten (checked once a day).
    static let keptDays = 400

    let store: (any FleetStore)?
    /// How long a PC may go unseen before it counts as quiet.
    let quietAfter: Duration
    /// The lab PCs' tokens, so the fleet lists those never seen; `nil`
    /// without tokens.
    let tokens: TokenRegistry?
    let gauges: FleetGauges
    let logger: Logger
    private let pending = Mutex<[String: FleetActivity]>([:])
    /// Why the fleet is off, while the store's tables cannot be made.
    private let unavailable = Mutex<String?>("the fleet's tables are not ready yet")
    /// Whether a failure to write the store was said (once per stretch).
    private let failureSaid = Mutex(false)

    init(store: (any FleetStore)?, quietAfter: Duration, tokens: TokenRegistry?, gauges: FleetGauges, logger: Logger) {
        self.store = store
        self.quietAfter = quietAfter
        self.tokens = tokens
        self.gauges = gauges
        self.logger = logger
        if store == nil { unavailable.withLock { $0 = "serve runs without a fleet store" } }
    }

    /// How often agents should report: often enough that a working PC is
    /// never taken for quiet (four reports in the quiet time), at most
    /// once a minute, at least once a second.
    var reportInterval: Duration {
        min(.seconds(60), max(.seconds(1), quietAfter / 4))
    }

    // MARK: - Gathering

    /// Notes a request of a lab PC (`exchange.machine`), and the picture it
    /// stored or found.
    func saw(_ exchange: ExchangeRecord, at now: Date) {
        guard let machine = exchange.machine else { return }
        let picture = exchange.picture
        gather(machine) { activity in
            activity.lastSeen = max(activity.lastSeen, now)
            guard let picture else { return }
            activity.lastUpload = now
            let count =
                picture.isNew ? FleetDayCount(pictures: 1, bytes: picture.bytes) : FleetDayCount(alreadyThere: 1)
            activity.days[FleetDay(now), default: FleetDayCount()] = activity.days[FleetDay(now), default: FleetDayCount()].adding(count)
        }
    }

    /// Notes a report of `machine`.
    func received(_ report: NachetWire.AgentReport, from machine: String, at now: Date) {
        gather(machine) { activity in
            activity.lastSeen = max(activity.lastSeen, now)
            activity.report = ReceivedReport(receivedAt: now, report: report)
        }
    }

    private func gather(_ machine: String, _ change: (inout FleetActivity) -> Void) {
        pending.withLock { pending in
            var activity = pending[machine] ?? FleetActivity(lastSeen: .distantPast)
            change(&activity)
            pending[machine] = activity
        }
    }

    // MARK: - The store

    /// Makes the store's tables when missing; said in the log when they
    /// cannot be made (with the fix), and tried again at each flush.
    @discardableResult
    func prepare() async -> Bool {
        guard let store else { return false }
        guard unavailable.withLock({ $0 }) != nil else { return true }
        do {
            try await store.prepare()
            unavailable.withLock { $0 = nil }
            logger.info("the fleet is kept in the catalogue's database", metadata: ["fleet": "\(store.location)"])
            return true
        } catch {
            let said = unavailable.withLock { current -> Bool in
                defer { current = "the fleet is off: \(error.message)" }
                return current?.hasPrefix("the fleet is off") == true
            }
            if !said { logger.error("the fleet page is off until serve can make its tables: \(error.message)") }
            return false
        }
    }

    /// Writes what was gathered; on failure keeps it for the next attempt.
    func flush() async throws(CatalogueError) {
        guard let store, unavailable.withLock({ $0 }) == nil else { return }
        let taken = pending.withLock { pending in
            defer { pending = [:] }
            return pending
        }
        guard !taken.isEmpty else { return }
        do {
            try await store.record(taken)
        } catch {
            // What came meanwhile is newer than what was taken.
            pending.withLock { pending in
                pending.merge(taken) { newer, older in older.merged(with: newer) }
            }
            throw error
        }
    }

    /// The fleet now, as the store holds it once this server's gathering
    /// is written.
    ///
    /// - Parameter withReports: Whether each PC's last report is read
    ///   whole (`/fleet.json`), not only summed up (the page).
    func overview(withReports: Bool = false) async throws(FleetUnavailable) -> FleetOverview {
        let store = try await readyStore()
        do {
            try await flush()
            let now = Date()
            let machines = try await store.machines(daysFrom: FleetDay.daysBefore(FleetOverview.weekDays - 1, now), reports: withReports)
            return FleetOverview(machines: machines, labPCNames: tokens?.labPCNames, now: now, quietAfter: quietAfter)
        } catch {
            throw FleetUnavailable(reason: "the fleet cannot be read: \(error.message)")
        }
    }

    /// One PC, with its last report whole and its last `days` days; `nil`
    /// when the store never saw it and no token names it.
    func row(named name: String, days: Int) async throws(FleetUnavailable) -> (row: FleetOverview.Row, now: Date)? {
        let store = try await readyStore()
        do {
            try await flush()
            let now = Date()
            let machine = try await store.machine(named: name, daysFrom: FleetDay.daysBefore(days - 1, now))
            let names = tokens?.labPCNames
            guard machine != nil || names?.contains(name) == true else { return nil }
            return (
                FleetOverview.Row(name: name, machine: machine, hasToken: names?.contains(name) ?? true, now: now, quietAfter: quietAfter),
                now
            )
        } catch {
            throw FleetUnavailable(reason: "the fleet cannot be read: \(error.message)")
        }
    }

    /// The store, once its tables are made (tried now when they are not).
    private func readyStore() async throws(FleetUnavailable) -> any FleetStore {
        guard let store else { throw FleetUnavailable(reason: "serve runs without a fleet store") }
        if await !prepare(), let reason = unavailable.withLock({ $0 }) { throw FleetUnavailable(reason: reason) }
        return store
    }

    // MARK: - Running

    /// Writes what was gathered every ``flushInterval``, and refreshes the
    /// metrics' per-PC gauges from the store (so every replica shows the
    /// same fleet), until the task is cancelled.
    func keepWriting() async {
        var lastForgetting: Date?
        while !Task.isCancelled {
            if await prepare() {
                await flushSaying()
                if let overview = try? await overview() { gauges.update(overview) }
                if lastForgetting.map({ Date().timeIntervalSince($0) > 86_400 }) ?? true {
                    lastForgetting = Date()
                    try? await store?.forgetDays(before: FleetDay.daysBefore(Self.keptDays, Date()))
                }
            }
            try? await Task.sleep(for: Self.flushInterval)
        }
    }

    /// Flushes, saying the first failure of a stretch and its end.
    func flushSaying() async {
        do {
            try await flush()
            if failureSaid.withLock({ said in
                defer { said = false }; return said
            }) {
                logger.notice("the fleet is written to the catalogue's database again")
            }
        } catch {
            if !failureSaid.withLock({ said in
                defer { said = true }; return said
            }) {
                logger.warning("cannot write the fleet to the catalogue's database; kept in memory and tried again: \(error.message)")
            }
        }
    }
}

/// The fleet cannot be shown now, and why.
struct FleetUnavailable: Error, CustomStringConvertible {
    var reason: String
    var description: String { reason }
}

/// The HTTP server and the fleet's writing as one service: the ledger
/// writes every few seconds while the server runs, and once the server has
/// stopped (its requests in flight finished), what the last ones taught it.
struct ServerWithFleet<Server: Service>: Service, CustomStringConvertible {
    let server: Server
    let fleet: FleetLedger

    var description: String { "\(server)" }

    func run() async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await fleet.keepWriting() }
                try await server.run()
                group.cancelAll()
            }
        } catch {
            await fleet.flushSaying()
            throw error
        }
        await fleet.flushSaying()
    }
}
