import Foundation
import NachetSync
import NachetSyncTestSupport

/// Case 3: many images to Azure Blob Storage (the loopback emulator, a fresh
/// one per tool) with the agent — hashing, catalogue rows and all — against
/// `rclone copy` with the same parallelism, then a rerun with nothing new.
///
/// With a `roundTrip`, both tools reach their emulator through a
/// ``DelayingProxy`` adding it (issue 13: Azure 20 ms away), the agent's
/// catalogue staying the embedded SQLite file. Far away, both tools get the
/// agent's default number of pictures in flight: with 4, either one only
/// waits on the proxy.
struct AzureBulkCase {
    var count: Int
    var size: Int
    var roundTrip: Duration? = nil
    var perSet = 1_000
    /// Uploads in flight, the same for both tools.
    var transfers = 4
    /// Whether the agent keeps its own window, sized to the network,
    /// instead of `transfers` (rclone still gets `transfers`).
    var agentUsesItsOwnWindow = false
    /// The least ratio to rclone's files/s the case asks for.
    var goal = 1.2

    struct ToolRun {
        var first: ChildRun
        var rerun: ChildRun
    }

    func run(in directory: String) async throws -> CaseResult {
        let drop = directory + "/drop"
        let bytes = try BenchmarkData.dropFolder(at: drop, count: count, size: size, perSet: perSet)
        let mebibytes = Double(bytes) / Double(1 << 20)

        let agent = try await withEmulator(roundTrip: roundTrip) { access in
            let command = AgentCommand(stateDirectory: directory + "/state", blobStore: access.connectionString)
            try command.registerUser()
            let first = try command.sync(drop, parallelUploads: agentUsesItsOwnWindow ? nil : transfers)
            return ToolRun(first: first, rerun: try command.sync(drop))
        }
        let rclone: ToolRun? = try await ChildRun.find("rclone").asyncMap { executable in
            try await withEmulator(roundTrip: roundTrip) { access in
                let emulator = access.emulator
                // The container is made directly: only the copy is timed.
                let store = AzureBlobStore(account: try AzureAccount(parsing: emulator.connectionString), logger: TestDatastore.quietLogger)
                try await store.createContainerIfMissing("bench")
                let environment = ["RCLONE_CONFIG_AZ_TYPE": "azureblob", "RCLONE_CONFIG_AZ_SAS_URL": access.containerSASURL("bench")]
                let arguments = ["copy", drop, "az:bench/drop", "--transfers", "\(transfers)", "--config", "/dev/null", "-q"]
                func copy() throws -> ChildRun {
                    try ChildRun.run(executable, arguments, environment: environment).checked("rclone copy")
                }
                let first = try copy()
                let stored = emulator.blobNames(container: "bench").filter { $0.hasSuffix(".png") }.count
                guard stored == count else { throw BenchmarkError("rclone stored \(stored) of \(count) files") }
                emulator.clearLog()
                let rerun = try copy()
                let rewritten = emulator.requests.filter { $0.method == "PUT" }.count
                guard rewritten == 0 else {
                    throw BenchmarkError(
                        "rclone's rerun wrote \(rewritten) blobs again: \(Set(emulator.requests.filter { $0.method == "PUT" }.map { "\($0.comp ?? "-") \($0.status)" }))"
                    )
                }
                return ToolRun(first: first, rerun: rerun)
            }
        }

        let agentRate = Double(count) / agent.first.seconds
        let peerRate = rclone.map { Double(count) / $0.first.seconds }
        let ratio = peerRate.map { agentRate / $0 }
        let rerunRatio = rclone.map { $0.rerun.seconds / agent.rerun.seconds }
        func figure(_ run: ToolRun) -> String {
            "\(Show.rate(Double(count) / run.first.seconds, "files/s")), \(Show.rate(mebibytes / run.first.seconds, "MiB/s")), RSS \(Show.mebibytes(kibibytes: run.first.peakRSSKiB)); rerun \(Show.seconds(run.rerun.seconds))"
        }
        return CaseResult(
            name: "Azure emulator\(distance), \(count) × \(sizeName)",
            agent: figure(agent),
            peer: rclone.map { "rclone copy --transfers \(transfers): " + figure($0) } ?? "rclone not installed",
            ratio: ratio.map { "\(Show.ratio($0)) rclone files/s; rerun \(Show.ratio(rerunRatio ?? 0)) rclone's speed" } ?? "–",
            goal: "≥ \(Show.ratio(goal)) rclone files/s; rerun ≥ 1×; RSS < 64 MiB",
            met: ratio.map { $0 >= goal && (rerunRatio ?? 0) >= 1 && agent.first.peakRSSKiB < 64 << 10 },
            values: [
                "agent_seconds": agent.first.seconds, "agent_rerun_seconds": agent.rerun.seconds,
                "agent_peak_rss_kib": Double(agent.first.peakRSSKiB), "rclone_seconds": rclone?.first.seconds ?? -1,
                "rclone_rerun_seconds": rclone?.rerun.seconds ?? -1, "rclone_peak_rss_kib": Double(rclone?.first.peakRSSKiB ?? -1),
                "files": Double(count), "mebibytes": mebibytes, "round_trip_seconds": roundTrip.map(Seconds.of) ?? 0,
            ]
        )
    }

    private var sizeName: String { size >= 1 << 20 ? "\(size >> 20) MiB" : "\(size >> 10) KiB" }

    /// " 20 ms away" behind a proxy, nothing on the loopback.
    private var distance: String { roundTrip.map { " \(Show.milliseconds($0)) away" } ?? "" }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
