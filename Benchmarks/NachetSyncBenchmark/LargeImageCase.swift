import Foundation

/// Issue 13: one large image into the embedded default (SQLite catalogue and
/// local blob folder) against the shell pipeline a lab would script for it,
/// `openssl dgst -sha256 F && cp F DST && sync DST` (hash, copy, flush to
/// disk), timed as a whole.
///
/// Rounds take turns, each from scratch, the first tool alternating, and
/// medians are compared: as in ``LocalBulkCase``, this disk's speed swings
/// too much for one run of each to compare anything but the machine's moods.
struct LargeImageCase {
    var size: Int
    var rounds: Int

    static let pipeline = #"openssl dgst -sha256 "$1" >/dev/null && cp "$1" "$2" && sync "$2""#

    func run(in directory: String) async throws -> CaseResult {
        guard ChildRun.find("openssl") != nil else { throw BenchmarkError("openssl is not installed (packaging/dev-setup.sh)") }
        let drop = directory + "/drop"
        let bytes = try BenchmarkData.dropFolder(at: drop, count: 1, size: size, perSet: 1)
        let mebibytes = Double(bytes) / Double(1 << 20)
        let image = drop + "/set-0/img-0.png"
        let copy = directory + "/copy.png"

        var pipelines: [Double] = []
        var agents: [ChildRun] = []
        for round in 1...rounds {
            let state = directory + "/state-\(round)"
            func runPipeline() throws {
                try? FileManager.default.removeItem(atPath: copy)
                try ChildRun.run("sync", []).checked("sync")
                pipelines.append(
                    try ChildRun.run("/bin/sh", ["-c", Self.pipeline, "sh", image, copy]).checked("openssl + cp + sync").seconds)
            }
            func runAgent() throws {
                try? FileManager.default.removeItem(atPath: directory + "/state-\(round - 1)")
                let agent = AgentCommand(stateDirectory: state)
                try agent.registerUser()
                try ChildRun.run("sync", []).checked("sync")
                let run = try agent.sync(drop)
                guard run.output.contains("1 picture uploaded") else {
                    throw BenchmarkError("the agent did not store the image: \(run.output)")
                }
                agents.append(run)
            }
            if round % 2 == 1 {
                try runPipeline()
                try runAgent()
            } else {
                try runAgent()
                try runPipeline()
            }
        }
        let pipeline = LocalBulkCase.median(pipelines)
        let agent = LocalBulkCase.median(agents.map(\.seconds))
        let ratio = pipeline / agent
        let peakRSS = agents.map(\.peakRSSKiB).max() ?? 0
        return CaseResult(
            name: "one \(size >> 20) MiB image into the embedded default",
            agent:
                "median \(Show.rate(mebibytes / agent, "MiB/s"))\(Show.spread(mebibytes: mebibytes, seconds: agents.map(\.seconds))), RSS \(Show.mebibytes(kibibytes: peakRSS))",
            peer:
                "openssl dgst -sha256 && cp && sync, median \(Show.rate(mebibytes / pipeline, "MiB/s"))\(Show.spread(mebibytes: mebibytes, seconds: pipelines))",
            ratio: "\(Show.ratio(ratio)) the pipeline's speed",
            goal: "≥ 1.0× the pipeline; RSS < 64 MiB",
            met: ratio >= 1 && peakRSS < 64 << 10,
            values: [
                "agent_seconds": agent, "pipeline_seconds": pipeline, "mebibytes": mebibytes, "agent_peak_rss_kib": Double(peakRSS),
                "rounds": Double(rounds),
            ]
        )
    }
}
