import Foundation

/// Case 4: a restart over many files already stored and unchanged, 1,000 to
/// a set folder (issue 13's loopback rerun: 100 sets × 1,000): `sync` must
/// finish without reading any of them, against a bare `find` listing the
/// same tree (the limit: a stat of every file). Run at a tenth of the size
/// too, to show memory does not grow with the file count.
struct RestartCase {
    var count: Int
    var perSet = 1_000

    func run(in directory: String) async throws -> CaseResult {
        let small = try restart(count: max(count / 10, 100), in: directory + "/small")
        let large = try restart(count: count, in: directory + "/large")
        let ratio = large.agent.seconds / large.find
        let growth = Double(large.agent.peakRSSKiB) / Double(small.agent.peakRSSKiB)
        return CaseResult(
            name: "restart over \(count) unchanged files (\(sets) sets × \(min(count, perSet)))",
            agent:
                "\(Show.seconds(large.agent.seconds)), 0 files read, RSS \(Show.mebibytes(kibibytes: large.agent.peakRSSKiB)) (\(Show.mebibytes(kibibytes: small.agent.peakRSSKiB)) at \(max(count / 10, 100)) files)",
            peer: "find -printf '%s %T@' \(Show.seconds(large.find))",
            ratio: "\(Show.ratio(ratio)) find's time",
            goal: "< 2 s and ≤ 2× find; RSS < 64 MiB, flat",
            met: large.agent.seconds < 2 && ratio <= 2 && large.agent.peakRSSKiB < 64 << 10 && growth < 1.5,
            values: [
                "agent_seconds": large.agent.seconds, "find_seconds": large.find, "files": Double(count),
                "agent_peak_rss_kib": Double(large.agent.peakRSSKiB), "agent_peak_rss_kib_tenth": Double(small.agent.peakRSSKiB),
                "first_sync_seconds": large.first, "sets": Double(sets),
            ]
        )
    }

    private func restart(count: Int, in directory: String) throws -> (agent: ChildRun, find: Double, first: Double) {
        let drop = directory + "/drop"
        _ = try BenchmarkData.dropFolder(at: drop, count: count, size: 256, perSet: perSet)
        let agent = AgentCommand(stateDirectory: directory + "/state")
        try agent.registerUser()
        let first = try agent.sync(drop)
        let restart = try agent.sync(drop)
        guard restart.output.contains("0 pictures uploaded"), restart.output.contains("(\(count) without reading)") else {
            throw BenchmarkError("the restart read files again: \(restart.output.suffix(500))")
        }
        return (restart, try BenchmarkData.bestFindListingSeconds(of: drop), first.seconds)
    }

    private var sets: Int { (count + perSet - 1) / perSet }
}
