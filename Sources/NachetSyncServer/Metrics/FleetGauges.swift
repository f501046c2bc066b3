import CoreMetrics
import Foundation
import NachetSync
import Synchronization

/// The fleet in the metrics, refreshed from the fleet store every few
/// seconds (so two `serve` over one datastore show the same fleet): per PC
/// (label `pc`, the token's name) when it was last seen and last reported,
/// the files waiting and folders in error of its last report, its outages,
/// and its light as a number (0 green, 1 amber, 2 red); and how many PCs
/// show each light. One alert rule then finds a quiet PC (docs/fleet.md).
///
/// A PC whose token is revoked loses its gauges (it is still on the page).
final class FleetGauges: Sendable {
    private struct Machine {
        var lastSeen: Gauge
        var lastReport: Gauge
        var filesWaiting: Gauge
        var foldersInError: Gauge
        var outages: Gauge
        var state: Gauge

        var all: [Gauge] { [lastSeen, lastReport, filesWaiting, foldersInError, outages, state] }
    }

    private let factory: any MetricsFactory
    private let machines = Mutex<[String: Machine]>([:])
    private let lights: [FleetStanding.Light: Gauge]

    init(factory: any MetricsFactory) {
        self.factory = factory
        lights = Dictionary(
            uniqueKeysWithValues: FleetStanding.Light.allCases.map {
                ($0, Gauge(label: "nachet_sync_serve_fleet_pcs", dimensions: [("state", $0.rawValue)], factory: factory))
            })
    }

    /// Sets every gauge from `overview`; PCs never seen have none.
    func update(_ overview: FleetOverview) {
        let counts = overview.counts
        for (light, gauge) in lights { gauge.record(counts[light, default: 0]) }
        machines.withLock { machines in
            var kept: Set<String> = []
            for row in overview.rows {
                guard let machine = row.machine, row.hasToken else { continue }
                kept.insert(row.name)
                let gauges = machines[row.name] ?? make(row.name)
                machines[row.name] = gauges
                gauges.lastSeen.record(machine.lastSeen.timeIntervalSince1970)
                gauges.lastReport.record(machine.reportedAt?.timeIntervalSince1970 ?? 0)
                gauges.filesWaiting.record(machine.summary?.filesWaiting ?? 0)
                gauges.foldersInError.record(machine.summary?.foldersInError ?? 0)
                gauges.outages.record(machine.summary?.outages ?? 0)
                gauges.state.record(FleetStanding.Light.allCases.firstIndex(of: row.standing.light) ?? 0)
            }
            for (name, gone) in machines where !kept.contains(name) {
                gone.all.forEach { $0.destroy() }
                machines[name] = nil
            }
        }
    }

    private func make(_ name: String) -> Machine {
        let pc = [("pc", name)]
        return Machine(
            lastSeen: Gauge(label: "nachet_sync_serve_pc_last_seen_timestamp_seconds", dimensions: pc, factory: factory),
            lastReport: Gauge(label: "nachet_sync_serve_pc_last_report_timestamp_seconds", dimensions: pc, factory: factory),
            filesWaiting: Gauge(label: "nachet_sync_serve_pc_files_waiting", dimensions: pc, factory: factory),
            foldersInError: Gauge(label: "nachet_sync_serve_pc_folders_in_error", dimensions: pc, factory: factory),
            outages: Gauge(label: "nachet_sync_serve_pc_outages", dimensions: pc, factory: factory),
            state: Gauge(label: "nachet_sync_serve_pc_state", dimensions: pc, factory: factory))
    }
}
