import Foundation

/// Issue 13, PostgreSQL 20 ms away: a `sync` over set folders stored before
/// and unchanged since, the catalogue reached through a ``DelayingProxy``
/// and the blobs in the embedded folder, so only the catalogue's distance
/// counts. The folders are stored first over a direct connection (to save
/// time); the same rescan is then timed directly (the work without the
/// distance) and through the proxy, beside `find` listing the tree.
///
/// The rescans run with the default datastore check (`--verify-every 24`),
/// as a `sync` run from a timer would: each set was checked by the run
/// before, less than a day ago, so none is checked again. The proxy's
/// address names another catalogue to the state file (its records are per
/// destination), so one `sync` through it first takes the folders up there
/// and checks every set; its time is shown beside the rescan's, and so is
/// that of a `sync` checking every set (as `watch` does at its start).
struct FarPostgresRescanCase {
    var sets: Int
    var perSet = 5

    func run(in directory: String) async throws -> CaseResult {
        let count = sets * perSet
        let drop = directory + "/drop"
        _ = try BenchmarkData.dropFolder(at: drop, count: count, size: 4 << 10, perSet: perSet)
        let state = directory + "/state"
        let (direct, far, takenUp, checking) = try await FarPostgres.with { postgres in
            let database = try await postgres.makeNachetDatabase(stateDirectory: state)
            let near = AgentCommand(stateDirectory: state, catalogue: database.direct)
            let stored = try near.sync(drop)
            guard stored.output.contains("\(count) pictures uploaded") else {
                throw BenchmarkError("the first sync did not store every picture: \(stored.output.suffix(500))")
            }
            let direct = try rescan(near, drop, count: count)
            let farAgent = AgentCommand(stateDirectory: state, catalogue: database.far)
            let takenUp = try farAgent.sync(drop)
            let rescanned = try rescan(farAgent, drop, count: count)
            // Every set checked again (its last check is older than 1 s), as
            // `watch` does at its start: one listing and one query per set.
            try await Task.sleep(for: .milliseconds(1_100))
            let checking = try farAgent.run(["sync"], ["--verify-every", "0.0003", drop]).checked("nachet-sync sync")
            return (direct, rescanned, takenUp, checking)
        }
        let find = try BenchmarkData.bestFindListingSeconds(of: drop)
        let ratio = far.seconds / direct.seconds
        let rss = Show.mebibytes(kibibytes: far.peakRSSKiB)
        return CaseResult(
            name: "PostgreSQL \(Show.milliseconds(FarPostgres.roundTrip)) away, rescan of \(sets) unchanged sets × \(perSet) pictures",
            agent: "\(Show.seconds(far.seconds)), 0 files read, RSS \(rss)",
            peer:
                "same rescan, direct connection: \(Show.seconds(direct.seconds)); find -printf '%s %T@' \(Show.seconds(find)); through the proxy, the first sync (records taken up, every set checked): \(Show.seconds(takenUp.seconds)), a sync checking every set: \(Show.seconds(checking.seconds))",
            ratio: "\(Show.ratio(ratio)) the direct rescan's time",
            goal: "≤ 3 s; RSS < 64 MiB",
            met: far.seconds <= 3 && far.peakRSSKiB < 64 << 10,
            values: [
                "agent_seconds": far.seconds, "direct_seconds": direct.seconds, "find_seconds": find,
                "first_sync_seconds": takenUp.seconds, "checking_sync_seconds": checking.seconds,
                "agent_peak_rss_kib": Double(far.peakRSSKiB), "direct_peak_rss_kib": Double(direct.peakRSSKiB),
                "sets": Double(sets), "pictures": Double(count), "round_trip_seconds": Seconds.of(FarPostgres.roundTrip),
            ]
        )
    }

    /// A `sync` that must find every picture stored and read none.
    private func rescan(_ agent: AgentCommand, _ drop: String, count: Int) throws -> ChildRun {
        let run = try agent.sync(drop)
        guard run.output.contains("0 pictures uploaded"), run.output.contains("(\(count) without reading)") else {
            throw BenchmarkError("the rescan read or stored files again: \(run.output.suffix(500))")
        }
        return run
    }
}
