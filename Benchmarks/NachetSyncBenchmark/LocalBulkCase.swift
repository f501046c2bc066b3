import Foundation

/// Case 2: many images into the embedded default (SQLite catalogue + local
/// blob folder) against `cp -r` of the same tree followed by `sync`: the
/// disk's own limit.
struct LocalBulkCase {
    var count: Int
    var size: Int

    func run(in directory: String) async throws -> CaseResult {
        let drop = directory + "/drop"
        let bytes = try BenchmarkData.dropFolder(at: drop, count: count, size: size)
        let mebibytes = Double(bytes) / Double(1 << 20)

        let copy = try await Seconds.measure {
            try ChildRun.run("cp", ["-r", drop, directory + "/copy"]).checked("cp -r")
            try ChildRun.run("sync", []).checked("sync")
        }
        let agent = AgentCommand(stateDirectory: directory + "/state")
        try agent.registerUser()
        try ChildRun.run("sync", []).checked("sync")
        let run = try agent.sync(drop)
        let ratio = copy / run.seconds
        return CaseResult(
            name: "embedded default, \(count) × \(size >> 10) KiB",
            agent:
                "\(Show.rate(mebibytes / run.seconds, "MiB/s")), \(Show.rate(Double(count) / run.seconds, "files/s")), RSS \(Show.mebibytes(kibibytes: run.peakRSSKiB))",
            peer: "cp -r + sync \(Show.rate(mebibytes / copy, "MiB/s"))",
            ratio: "\(Show.ratio(ratio)) cp",
            goal: "≥ 0.5× cp",
            met: ratio >= 0.5,
            values: [
                "agent_seconds": run.seconds, "cp_seconds": copy, "files": Double(count), "mebibytes": mebibytes,
                "agent_peak_rss_kib": Double(run.peakRSSKiB),
            ]
        )
    }
}
