import Foundation
import NachetSyncTestSupport

/// Issue 22, thousands of small sets with PostgreSQL 20 ms away: one drop
/// folder of `sets` set folders × `perSet` small pictures, the catalogue
/// reached through a ``DelayingProxy`` and the blobs in a folder of their
/// own (outside the state directory, so a lost state file keeps them), and
/// in one run, each step timed as a `sync` of its own:
///
/// 1. the first `sync` of the new sets;
/// 2. a rescan of them, unchanged;
/// 3. a `sync` checking every set in the datastore (as `watch` does at its
///    start, or `sync` when every set is due);
/// 4. the next `sync` through another proxy (another address, the same
///    database), which must read no file;
/// 5. a `sync` with the state file lost (the state directory removed; same
///    folders, same database, same blobs), beside the time `sha256sum`
///    takes to hash the files.
struct FarSetsCase {
    var sets: Int
    var perSet = 5
    var size = 4 << 10

    func run(in directory: String) async throws -> [CaseResult] {
        let count = sets * perSet
        let drop = directory + "/drop"
        _ = try BenchmarkData.dropFolder(at: drop, count: count, size: size, perSet: perSet)
        let state = directory + "/state"
        let blobs = directory + "/blobs"
        let runs = try await FarPostgres.with { postgres in
            let database = try await postgres.makeNachetDatabase(stateDirectory: directory + "/setup")
            let far = AgentCommand(stateDirectory: state, catalogue: database.far, blobStore: blobs)
            try far.registerUser()
            let first = try far.sync(drop)
            try expect(first, uploaded: count, read: count, "the first sync")
            let rescan = try far.sync(drop)
            try expect(rescan, uploaded: 0, read: 0, "the rescan")
            // Every set's last check is older than 1 s: each is checked.
            try await Task.sleep(for: .milliseconds(1_100))
            let checking = try far.run(["sync"], ["--verify-every", "0.0003", drop]).checked("nachet-sync sync")
            try expect(checking, uploaded: 0, read: 0, "the sync checking every set")
            let (otherProxy, otherAddress) = (try await DelayingProxy.start(inFrontOf: database.direct, roundTrip: FarPostgres.roundTrip))
            defer { Task { await otherProxy.stop() } }
            let elsewhere = try AgentCommand(stateDirectory: state, catalogue: otherAddress, blobStore: blobs).sync(drop)
            try expect(elsewhere, uploaded: 0, read: 0, "the sync at another address")
            try FileManager.default.removeItem(atPath: state)
            let lost = try far.sync(drop)
            try expect(lost, uploaded: 0, read: count, "the sync without its state file")
            return (first, rescan, checking, elsewhere, lost)
        }
        let hashing = try ChildRun.run("sh", ["-c", "find '\(drop)' -type f -name '*.png' -print0 | xargs -0 sha256sum > /dev/null"])
            .checked("sha256sum").seconds
        let distance = "PostgreSQL \(Show.milliseconds(FarPostgres.roundTrip)) away"
        let what = "\(sets) sets × \(perSet) pictures of \(size >> 10) KiB"
        func row(_ name: String, _ run: ChildRun, goal: String, limit: Double, peer: String = "–", values: [String: Double] = [:]) -> CaseResult {
            CaseResult(
                name: "\(distance), \(name)", agent: "\(Show.seconds(run.seconds)), RSS \(Show.mebibytes(kibibytes: run.peakRSSKiB))",
                peer: peer, ratio: "–", goal: "\(goal); RSS < 64 MiB", met: run.seconds <= limit && run.peakRSSKiB < 64 << 10,
                values: values.merging(
                    ["agent_seconds": run.seconds, "agent_peak_rss_kib": Double(run.peakRSSKiB), "sets": Double(sets), "pictures": Double(count)]
                ) { first, _ in first })
        }
        return [
            row("first sync of \(what)", runs.0, goal: "≤ 20 s", limit: 20),
            row("rescan of those \(sets) unchanged sets", runs.1, goal: "≤ 3 s", limit: 3),
            row("datastore check of \(sets) sets", runs.2, goal: "≤ 5 s", limit: 5),
            row("the same database by another address: next sync (0 files read)", runs.3, goal: "≤ 5 s, no file read", limit: 5),
            row(
                "lost state file, \(what) already stored", runs.4, goal: "≤ 20 s + the time to hash the files", limit: 20 + hashing,
                peer: "sha256sum of the files: \(Show.seconds(hashing))", values: ["hashing_seconds": hashing]),
        ]
    }

    /// Throws unless `run` uploaded `uploaded` pictures, and read no file
    /// when `read` is 0.
    private func expect(_ run: ChildRun, uploaded: Int, read: Int, _ what: String) throws {
        let count = sets * perSet
        guard run.output.contains("\(uploaded) pictures uploaded"), read > 0 || run.output.contains("(\(count) without reading)") else {
            throw BenchmarkError("\(what) did not upload \(uploaded) and read \(read): \(run.output.suffix(600))")
        }
    }
}
