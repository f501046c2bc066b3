import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Synchronization

/// Case 5: the live agent's latency from a file's close to its record in
/// the state file (row and blob stored before it), stability window 0.
struct LatencyCase {
    var count: Int
    var interval: Duration = .milliseconds(10)

    func run() async throws -> CaseResult {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("live", metadata: DropFolderBuilder.metadata())
        let recorded = Mutex<[String: ContinuousClock.Instant]>([:])
        var engine = datastore.engine()
        engine.hooks.afterFileRecorded = { path in
            let now = ContinuousClock.now
            recorded.withLock { $0[path] = now }
        }
        let watcher = DropFolderWatcher(
            dropDirectory: datastore.drop.root,
            engine: engine,
            options: WatchOptions(stabilityWindow: .zero, rescanInterval: .seconds(600)),
            logger: TestDatastore.quietLogger
        )
        var closed: [String: ContinuousClock.Instant] = [:]
        try await whileRunning(watcher) {
            try await Task.sleep(for: .milliseconds(500))
            for index in 0..<count {
                let path = datastore.drop.root + "/live/img-\(index).png"
                let bytes = DropFolderBuilder.imageBytes(seed: UInt64(index), size: 50_000)
                let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
                close(descriptor)
                closed[path] = ContinuousClock.now
                try await Task.sleep(for: interval)
            }
            _ = try await eventually(within: .seconds(120)) { recorded.withLock { $0.count } >= count }
        }
        let latencies = closed.compactMap { path, closedAt in recorded.withLock { $0[path] }.map { Seconds.of($0 - closedAt) } }.sorted()
        guard latencies.count == count else { throw BenchmarkError("\(latencies.count) of \(count) files were recorded") }
        let p50 = latencies[count / 2]
        let p99 = latencies[min(count - 1, count * 99 / 100)]
        return CaseResult(
            name: "watch latency, close → recorded, \(count) files 10 ms apart, window 0",
            agent: "p50 \(Show.seconds(p50)), p99 \(Show.seconds(p99)), max \(Show.seconds(latencies.last ?? 0))",
            peer: "–",
            ratio: "–",
            goal: "p50 < 50 ms, p99 < 250 ms",
            met: p50 < 0.05 && p99 < 0.25,
            values: ["p50_seconds": p50, "p99_seconds": p99, "max_seconds": latencies.last ?? 0, "files": Double(count)]
        )
    }
}

/// Case 6: CPU used by an idle `nachet-sync watch` (a child process) over a
/// period, from `/proc/PID/stat`.
struct IdleCase {
    var period: Duration

    func run(in directory: String) async throws -> CaseResult {
        let drop = directory + "/drop"
        _ = try BenchmarkData.dropFolder(at: drop, count: 200, size: 4096, perSet: 100)
        let agent = AgentCommand(stateDirectory: directory + "/state")
        try agent.registerUser()
        let watch = try ChildRun.spawn(
            AgentCommand.executable, ["watch"] + agent.options + [drop], environment: [:], outputPath: directory + "/watch.log")
        try await Task.sleep(for: .seconds(3))  // start-up and the first scan
        // One new picture, so the agent is measured idle after handling an
        // event, not only after its start (a wait ended by an event once
        // left the loop spinning).
        try DropFolderBuilder(root: drop).writeImage("after-start.png", in: "set-0", seed: 999_999, size: 4096)
        try await Task.sleep(for: .seconds(5))  // the stability window and the upload
        let before = try ChildRun.cpuTicks(of: watch.pid)
        try await Task.sleep(for: period)
        let after = try ChildRun.cpuTicks(of: watch.pid)
        try await watch.stop(within: .seconds(120))
        let used = after - before
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let share = Double(used) / hertz / Seconds.of(period) * 100
        return CaseResult(
            name: "idle watch, 200 files in 2 sets, one added, \(Int(Seconds.of(period))) s",
            agent: "\(used) CPU ticks (\(String(format: "%.2f", share)) % of a core)",
            peer: "–",
            ratio: "–",
            goal: "≈ 0 (< 1 %)",
            met: share < 1,
            values: ["ticks": Double(used), "cpu_percent": share, "seconds": Seconds.of(period)]
        )
    }
}
