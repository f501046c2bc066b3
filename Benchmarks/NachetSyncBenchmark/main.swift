import Foundation
import NachetSync
import NachetSyncTestSupport

// nachet-sync's benchmark harness: the agent and the tools a lab would
// otherwise script (openssl/sha256sum, cp, rclone, find), side by side on the
// same data in one run; datastores "far away" sit behind a delaying proxy.
// Run with:
//   swift run -c release nachet-sync-benchmark [--quick] [--json FILE] [--only CASE]
// It makes its data in a temporary directory, prints each case as it ends,
// then one Markdown table (docs/performance.md), and writes JSON on request.

let options = BenchmarkOptions(Array(CommandLine.arguments.dropFirst()))
let cores = ProcessInfo.processInfo.activeProcessorCount
print("nachet-sync benchmark\(options.quick ? " (quick)" : ""): \(cores) cores, agent \(AgentCommand.executable)")
var table = ResultTable()
var failures: [String] = []

/// Runs one case in a temporary directory of its own, removed afterwards.
@MainActor
func runCase(_ name: String, _ body: (String) async throws -> CaseResult) async {
    await runCases(name) { [try await body($0)] }
}

/// Runs one case measuring several rows, in a temporary directory of its own.
@MainActor
func runCases(_ name: String, _ body: (String) async throws -> [CaseResult]) async {
    guard options.runs(name) else { return }
    let directory = TemporaryDirectory("nachet-bench")
    do {
        for result in try await body(directory.path) { table.add(result) }
    } catch {
        print("  \(name): FAILED: \(error)")
        failures.append(name)
    }
}

await runCase("hashing") { try await HashingCase(size: options.size(1 << 30, quick: 16 << 20)).run(in: $0) }
for kind in CatalogueKind.allCases {
    await runCase("catalogue") { _ in try await CatalogueCase(kind: kind, count: options.size(2_000, quick: 100)).run() }
}
await runCase("local") {
    try await LocalBulkCase(count: options.size(2_000, quick: 20), size: 2 << 20, rounds: options.size(3, quick: 1)).run(in: $0)
}
await runCase("local-1gib") {
    try await LargeImageCase(size: options.size(1 << 30, quick: 32 << 20), rounds: options.size(3, quick: 1)).run(in: $0)
}
for (count, size) in options.size(
    [(2_000, 2 << 20), (20_000, 50 << 10), (5, 1 << 30)], quick: [(20, 2 << 20), (200, 50 << 10), (2, 32 << 20)])
{
    await runCase("azure-\(count)x\(size >> 10)KiB") { try await AzureBulkCase(count: count, size: size).run(in: $0) }
}
await runCase("restart") { try await RestartCase(count: options.restartFiles).run(in: $0) }
// Issue 13: the datastore 20 ms away, through a delaying proxy.
await runCase("far-postgres-rescan") { try await FarPostgresRescanCase(sets: options.size(2_000, quick: 20)).run(in: $0) }
await runCase("far-postgres-new") { try await FarPostgresNewCase(count: options.size(1_000, quick: 50)).run(in: $0) }
// Issue 22: thousands of small sets far away, and uploads sized to the network.
await runCases("far-sets") { try await FarSetsCase(sets: options.size(2_000, quick: 20)).run(in: $0) }
await runCase("far-azure-sets") { try await FarSetsThroughCase(store: .azure, sets: options.size(2_000, quick: 20)).run(in: $0) }
await runCase("api-far-sets") { try await FarSetsThroughCase(store: .serve, sets: options.size(2_000, quick: 20)).run(in: $0) }
for milliseconds in [20, 100] {
    await runCase("far-azure-\(milliseconds)ms") {
        let far = AzureBulkCase(
            count: options.size(1_000, quick: 100), size: 50 << 10, roundTrip: .milliseconds(milliseconds), perSet: 1_000,
            transfers: 32, agentUsesItsOwnWindow: true, goal: 1.5)
        return try await far.run(in: $0)
    }
}
// Issue 14: through nachet-sync serve, on loopback, 20 ms away, and serve's memory.
await runCase("api-loopback") { try await APILoopbackCase(count: options.size(2_000, quick: 50), rounds: options.size(3, quick: 1)).run(in: $0) }
await runCase("api-far") { try await APIFarCase(count: options.size(2_000, quick: 50)).run(in: $0) }
await runCase("api-1gib") { try await APILargeFilesCase(size: options.size(1 << 30, quick: 32 << 20)).run(in: $0) }
await runCase("latency") { _ in try await LatencyCase(count: options.size(1_000, quick: 50)).run() }
// Issue 23: the fleet, serve's side (1,000 PCs) and the agent's (its reports).
await runCase("fleet-serve") { try await FleetServeCase(pcs: options.size(1_000, quick: 50)).run(in: $0) }
await runCase("fleet-agent") { try await FleetAgentCase(period: options.size(.seconds(60), quick: .seconds(6))).run(in: $0) }
await runCase("idle") { try await IdleCase(period: options.size(.seconds(60), quick: .seconds(2))).run(in: $0) }

print("\n" + table.markdown)
if let path = options.jsonPath {
    do {
        try table.writeJSON(to: path, machine: ["cores": "\(cores)", "quick": "\(options.quick)", "date": Date().formatted(.iso8601)])
    } catch {
        print("cannot write \(path): \(error)")
        exit(1)
    }
}
if !failures.isEmpty {
    print("failed cases: \(failures.joined(separator: ", "))")
    exit(1)
}
