import Foundation
import NachetSyncTestSupport

/// Issue 22, thousands of small sets through a store far away other than
/// PostgreSQL: `sets` new set folders × `perSet` small pictures in one
/// `sync`, the store 20 ms away through a ``DelayingProxy``.
struct FarSetsThroughCase {
    /// What the sets go to.
    enum Store {
        /// The Azure emulator (the catalogue the embedded SQLite file).
        case azure
        /// `nachet-sync serve` over its embedded datastore.
        case serve
    }

    var store: Store
    var sets: Int
    var perSet = 5
    var size = 4 << 10
    var roundTrip = Duration.milliseconds(20)

    func run(in directory: String) async throws -> CaseResult {
        let count = sets * perSet
        let drop = directory + "/drop"
        _ = try BenchmarkData.dropFolder(at: drop, count: count, size: size, perSet: perSet)
        let run: ChildRun
        var servePeakKiB: Int?
        switch store {
        case .azure:
            run = try await withEmulator(roundTrip: roundTrip) { access in
                let agent = AgentCommand(stateDirectory: directory + "/state", blobStore: access.connectionString)
                try agent.registerUser()
                return try await Task.detached { try agent.sync(drop) }.value
            }
        case .serve:
            let serve = try ServeChild(stateDirectory: directory + "/serve")
            defer { serve.stop() }
            let proxy = try await DelayingProxy.start(to: serve.port, roundTrip: roundTrip)
            let agent = AgentCommand(stateDirectory: directory + "/agent", api: "http://127.0.0.1:\(proxy.port)")
            run = try await Task.detached { try agent.sync(drop) }.value
            await proxy.stop()
            servePeakKiB = serve.peakRSSKiB
        }
        guard run.output.contains("\(count) pictures uploaded") else {
            throw BenchmarkError("not every picture was stored: \(run.output.suffix(500))")
        }
        let place = store == .azure ? "Azure emulator" : "through serve"
        let serveMemory = servePeakKiB.map { ", serve RSS \(Show.mebibytes(kibibytes: $0))" } ?? ""
        return CaseResult(
            name: "\(place) \(Show.milliseconds(roundTrip)) away, \(sets) new sets × \(perSet) pictures of \(size >> 10) KiB",
            agent:
                "\(Show.seconds(run.seconds)) (\(Show.rate(Double(count) / run.seconds, "pictures/s"))), RSS \(Show.mebibytes(kibibytes: run.peakRSSKiB))\(serveMemory)",
            peer: "–",
            ratio: "–",
            goal: "≤ 30 s; RSS < 64 MiB",
            met: run.seconds <= 30 && run.peakRSSKiB < 64 << 10,
            values: [
                "agent_seconds": run.seconds, "agent_peak_rss_kib": Double(run.peakRSSKiB), "serve_peak_rss_kib": Double(servePeakKiB ?? -1),
                "sets": Double(sets), "pictures": Double(count), "round_trip_seconds": Seconds.of(roundTrip),
            ]
        )
    }
}
