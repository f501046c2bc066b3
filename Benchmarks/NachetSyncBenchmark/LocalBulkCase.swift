import Foundation

/// Case 2: many images into the embedded default (SQLite catalogue + local
/// blob folder) against `cp -r` of the same tree followed by `sync`: the
/// disk's own limit.
///
/// Both run several rounds, taking turns, each from scratch, and the
/// medians are compared: on these virtual machines the speed of writing
/// into fresh page-cache memory swings 4× from one minute to the next
/// (`cp` alone measured 393–2,151 MiB/s in four runs in a row), so one
/// run of each compares the machine's moods, not the tools.
struct LocalBulkCase {
    var count: Int
    var size: Int
    var rounds: Int

    func run(in directory: String) async throws -> CaseResult {
        let drop = directory + "/drop"
        let bytes = try BenchmarkData.dropFolder(at: drop, count: count, size: size)
        let mebibytes = Double(bytes) / Double(1 << 20)

        var copies: [Double] = []
        var agents: [ChildRun] = []
        for round in 1...rounds {
            let copy = directory + "/copy"
            let state = directory + "/state-\(round)"
            try? FileManager.default.removeItem(atPath: copy)
            try? FileManager.default.removeItem(atPath: directory + "/state-\(round - 1)")
            try ChildRun.run("sync", []).checked("sync")
            copies.append(
                try await Seconds.measure {
                    try ChildRun.run("cp", ["-r", drop, copy]).checked("cp -r")
                    try ChildRun.run("sync", []).checked("sync")
                })
            let agent = AgentCommand(stateDirectory: state)
            try agent.registerUser()
            try ChildRun.run("sync", []).checked("sync")
            agents.append(try agent.sync(drop))
        }
        let copy = Self.median(copies)
        let agent = Self.median(agents.map(\.seconds))
        let ratio = copy / agent
        func spread(_ seconds: [Double]) -> String { Show.spread(mebibytes: mebibytes, seconds: seconds) }
        let peakRSS = agents.map(\.peakRSSKiB).max() ?? 0
        return CaseResult(
            name: "embedded default, \(count) × \(size >> 10) KiB",
            agent:
                "median \(Show.rate(mebibytes / agent, "MiB/s"))\(spread(agents.map(\.seconds))), \(Show.rate(Double(count) / agent, "files/s")), RSS \(Show.mebibytes(kibibytes: peakRSS))",
            peer: "cp -r + sync, median \(Show.rate(mebibytes / copy, "MiB/s"))\(spread(copies))",
            ratio: "\(Show.ratio(ratio)) cp",
            goal: "≥ 0.5× cp",
            met: ratio >= 0.5,
            values: [
                "agent_seconds": agent, "cp_seconds": copy, "files": Double(count), "mebibytes": mebibytes,
                "agent_peak_rss_kib": Double(peakRSS), "rounds": Double(rounds),
            ]
        )
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }
}
