import Foundation
import Glibc
import NachetSyncTestSupport

/// Issue 14, the agent uploading through `nachet-sync serve` on loopback:
/// small pictures through the API beside the same agent writing the
/// embedded datastore directly, in the same run.
///
/// Both run several rounds, taking turns, each into a datastore of its own
/// after a `sync`, and the medians are compared: as in ``LocalBulkCase``,
/// creating files on these virtual machines swings 2–3× from one minute to
/// the next (after a large removal, ext4 without a journal skips recently
/// freed inodes one by one), so one run of each compares the moments.
struct APILoopbackCase {
    var count: Int
    var size = 16 << 10
    var rounds: Int

    func run(in directory: String) async throws -> CaseResult {
        let drop = directory + "/drop"
        _ = try BenchmarkData.dropFolder(at: drop, count: count, size: size)
        var directRuns: [ChildRun] = []
        var apiRuns: [ChildRun] = []
        var servePeakKiB = 0
        for round in 1...rounds {
            let directAgent = AgentCommand(stateDirectory: directory + "/direct-\(round)")
            try directAgent.registerUser()
            try ChildRun.run("sync", []).checked("sync")
            directRuns.append(try directAgent.sync(drop))

            let serve = try ServeChild(stateDirectory: directory + "/serve-\(round)")
            defer { serve.stop() }
            try ChildRun.run("sync", []).checked("sync")
            let api = try AgentCommand(stateDirectory: directory + "/agent-\(round)", api: serve.url).sync(drop)
            guard api.output.contains("\(count) pictures uploaded") else {
                throw BenchmarkError("not every picture went through serve: \(api.output.suffix(500))")
            }
            apiRuns.append(api)
            servePeakKiB = max(servePeakKiB, serve.peakRSSKiB)
        }
        let seconds = LocalBulkCase.median(apiRuns.map(\.seconds))
        let directSeconds = LocalBulkCase.median(directRuns.map(\.seconds))
        let rate = Double(count) / seconds
        let directRate = Double(count) / directSeconds
        let agentPeakKiB = apiRuns.map(\.peakRSSKiB).max() ?? 0
        func spread(_ runs: [ChildRun]) -> String { Show.spread(Double(count), "pictures/s", seconds: runs.map(\.seconds)) }
        return CaseResult(
            name: "through serve on loopback, \(count) × \(size >> 10) KiB",
            agent:
                "median \(Show.rate(rate, "pictures/s"))\(spread(apiRuns)), RSS \(Show.mebibytes(kibibytes: agentPeakKiB)), serve RSS \(Show.mebibytes(kibibytes: servePeakKiB))",
            peer: "same agent writing the embedded datastore directly: median \(Show.rate(directRate, "pictures/s"))\(spread(directRuns))",
            ratio: "\(Show.ratio(rate / directRate)) the direct speed",
            goal: "≥ 0.8× direct",
            met: rate >= 0.8 * directRate,
            values: [
                "agent_seconds": seconds, "direct_seconds": directSeconds, "pictures_per_second": rate,
                "direct_pictures_per_second": directRate, "agent_peak_rss_kib": Double(agentPeakKiB),
                "serve_peak_rss_kib": Double(servePeakKiB), "pictures": Double(count), "rounds": Double(rounds),
            ]
        )
    }
}

/// Issue 14, `serve` 20 ms away: the same small pictures through a
/// ``DelayingProxy`` in front of it.
struct APIFarCase {
    var count: Int
    var size = 16 << 10
    var roundTrip = Duration.milliseconds(20)

    func run(in directory: String) async throws -> CaseResult {
        let drop = directory + "/drop"
        _ = try BenchmarkData.dropFolder(at: drop, count: count, size: size)
        let serve = try ServeChild(stateDirectory: directory + "/serve")
        defer { serve.stop() }
        let proxy = try await DelayingProxy.start(to: serve.port, roundTrip: roundTrip)
        let agent = AgentCommand(stateDirectory: directory + "/agent", api: "http://127.0.0.1:\(proxy.port)")
        let run = try await Task.detached { try agent.sync(drop) }.value
        await proxy.stop()
        guard run.output.contains("\(count) pictures uploaded") else { throw BenchmarkError("not every picture went through: \(run.output.suffix(500))") }
        let rate = Double(count) / run.seconds
        return CaseResult(
            name: "through serve \(Show.milliseconds(roundTrip)) away, \(count) × \(size >> 10) KiB",
            agent: "\(Show.rate(rate, "pictures/s")) (\(Show.seconds(run.seconds))), RSS \(Show.mebibytes(kibibytes: run.peakRSSKiB))",
            peer: "–",
            ratio: "–",
            goal: "≥ 100 pictures/s",
            met: rate >= 100,
            values: [
                "agent_seconds": run.seconds, "pictures_per_second": rate, "agent_peak_rss_kib": Double(run.peakRSSKiB),
                "pictures": Double(count), "round_trip_seconds": Seconds.of(roundTrip),
            ]
        )
    }
}

/// Issue 14, `serve`'s memory: four agents upload one large file each
/// through it at once; its peak resident memory is read at the end.
struct APILargeFilesCase {
    var size: Int
    var agents = 4

    func run(in directory: String) async throws -> CaseResult {
        var drops: [String] = []
        for index in 0..<agents {
            let drop = directory + "/drop-\(index)"
            let builder = DropFolderBuilder(root: drop)
            _ = try builder.makeSet("large-\(index)", metadata: DropFolderBuilder.metadata(email: BenchmarkData.email))
            try BenchmarkData.writeLargeImage(at: drop + "/large-\(index)/image.tif", size: size, seed: UInt64(index + 1))
            drops.append(drop)
        }
        let serve = try ServeChild(stateDirectory: directory + "/serve")
        defer { serve.stop() }
        let start = ContinuousClock.now
        var uploaders: [SpawnedProcess] = []
        for (index, drop) in drops.enumerated() {
            let agent = AgentCommand(stateDirectory: directory + "/agent-\(index)", api: serve.url)
            uploaders.append(
                try ChildRun.spawn(
                    AgentCommand.executable, ["sync"] + agent.options + [drop], environment: [:],
                    outputPath: directory + "/agent-\(index).log"))
        }
        var failures: [String] = []
        for (index, uploader) in uploaders.enumerated() {
            try await uploader.exit(within: ChildRun.limit)
            if !uploader.exitedNormally || uploader.terminationStatus != 0 { failures.append((try? String(contentsOfFile: directory + "/agent-\(index).log", encoding: .utf8)) ?? "agent \(index)") }
        }
        let seconds = Seconds.of(ContinuousClock.now - start)
        let peak = serve.peakRSSKiB
        guard failures.isEmpty else { throw BenchmarkError("an agent failed: \(failures.joined(separator: "\n").suffix(1000))") }
        let total = Double(size * agents) / Double(1 << 20)
        return CaseResult(
            name: "serve, \(agents) agents each sending one \(size >> 20) MiB file at once",
            agent: "serve RSS \(Show.mebibytes(kibibytes: peak)); \(Show.rate(total / seconds, "MiB/s")) in all (\(Show.seconds(seconds)))",
            peer: "–",
            ratio: "–",
            goal: "serve RSS < 64 MiB",
            met: peak < 64 << 10,
            values: ["agent_seconds": seconds, "serve_peak_rss_kib": Double(peak), "mebibytes": total]
        )
    }
}
