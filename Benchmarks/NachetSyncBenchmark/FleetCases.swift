import AsyncHTTPClient
import Foundation
import Glibc
import NIOCore
import NIOHTTP1
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport

/// A tokens file of `count` lab PCs (`lab-pc-0000`…) and an administrator
/// (`ops`), and their tokens, made as `serve token add` makes them.
struct BenchmarkTokens {
    let path: String
    let labPCs: [String]
    let admin: String

    init(at path: String, count: Int) throws {
        self.path = path
        labPCs = try (0..<count).map { index in
            try TokensFile.add(name: String(format: "lab-pc-%04d", index), users: [BenchmarkData.email], to: path)
        }
        admin = try TokensFile.add(name: "ops", users: [], admin: true, to: path)
    }
}

/// Issue 23, serve's side: what 1,000 lab PCs' fleet state costs `serve`
/// in memory, and how long `/fleet` takes to render them.
///
/// A `serve` child with a tokens file of 1,000 PCs and its metrics on (so
/// the per-PC gauges are counted too) is warmed up (ten PCs report, the
/// page is rendered), its resident memory read; then every PC reports (three
/// folders in error with their reasons, an outage: about 1.5 KiB each),
/// what serve gathered is written to the catalogue's database, and the page
/// is rendered 20 times; the memory is read again.
struct FleetServeCase {
    var pcs: Int
    var renders = 20

    func run(in directory: String) async throws -> CaseResult {
        let tokens = try BenchmarkTokens(at: directory + "/tokens", count: pcs)
        let serve = try ServeChild(
            stateDirectory: directory + "/serve", arguments: ["--tokens-file", tokens.path, "--metrics-listen", "127.0.0.1:0"])
        defer { serve.stop() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await measure(serve, tokens, client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private func measure(_ serve: ServeChild, _ tokens: BenchmarkTokens, _ client: HTTPClient) async throws -> CaseResult {
        let url = serve.url
        let flush = Duration.seconds(6)  // serve writes what it gathered every 5 s
        for index in 0..<10 { try await report(index, tokens, url, client) }
        try await Task.sleep(for: flush)
        for _ in 0..<3 { _ = try await get("/fleet", serve, tokens, client) }
        let before = ChildRun.residentKiB(of: serve.process.pid)

        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for index in stride(from: worker, to: pcs, by: 16) { try await report(index, tokens, url, client) }
                }
            }
            try await group.waitForAll()
        }
        try await Task.sleep(for: flush)
        var pageBytes = 0
        var times: [Double] = []
        for _ in 0..<renders {
            times.append(try await Seconds.measure { pageBytes = try await get("/fleet", serve, tokens, client) })
        }
        var jsonBytes = 0
        let jsonTimes = try await (0..<5).asyncMap { _ in try await Seconds.measure { jsonBytes = try await get("/fleet.json", serve, tokens, client) } }
        let after = ChildRun.residentKiB(of: serve.process.pid)
        let median = LocalBulkCase.median(times)
        let growthMiB = Double(after - before) / 1024
        return CaseResult(
            name: "serve's fleet, \(pcs) lab PCs",
            agent:
                "/fleet median \(Show.seconds(median)) (max \(Show.seconds(times.max() ?? 0)), \(pageBytes >> 10) KiB), /fleet.json \(Show.seconds(LocalBulkCase.median(jsonTimes))) (\(jsonBytes >> 10) KiB); RSS +\(String(format: "%.1f", growthMiB)) MiB (\(Show.mebibytes(kibibytes: before)) → \(Show.mebibytes(kibibytes: after)))",
            peer: "–",
            ratio: "–",
            goal: "/fleet < 100 ms; < 16 MiB more",
            met: median < 0.1 && growthMiB < 16,
            values: [
                "pcs": Double(pcs), "fleet_page_median_seconds": median, "fleet_page_max_seconds": times.max() ?? 0,
                "fleet_json_median_seconds": LocalBulkCase.median(jsonTimes), "rss_before_kib": Double(before), "rss_after_kib": Double(after),
                "rss_growth_mib": growthMiB, "fleet_page_bytes": Double(pageBytes),
            ]
        )
    }

    /// Lab PC `index` reports: three folders in error, an outage.
    private func report(_ index: Int, _ tokens: BenchmarkTokens, _ url: String, _ client: HTTPClient) async throws {
        let reason =
            "metadata.json: seed_name: unknown seed \"Bromus secalnus\" — did you mean \"Bromus secalinus\"? (`nachet-sync seeds` lists them all); fix the folder's metadata.json and it is uploaded at the next pass"
        let folders = (0..<3).map { folder in
            NachetWire.AgentReport.Folder(
                path: "/srv/seed-drop/lot-\(index)-\(folder)", status: "invalid",
                headline: "invalid — metadata.json has problems; nothing is uploaded until they are fixed", reason: reason, files_waiting: 12)
        }
        let report = NachetWire.AgentReport(
            version: NachetSyncVersion.current, host: String(format: "MICROSCOPE-%04d", index), drop_folders: ["/srv/seed-drop", "/mnt/share"],
            uploaded_since_start: 1_000 + index, last_upload_seconds_ago: 30, files_waiting: 36, bytes_waiting: 36 * 2_400_000, folders_pending: 1,
            folders_in_error: 3, folders: folders, outages: [.init(problem: "blob store unreachable (connection refused)", for_seconds: 120)])
        var request = HTTPClientRequest(url: url + "/agent-report")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(tokens.labPCs[index])")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(report)))
        let response = try await client.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw BenchmarkError("the report of lab PC \(index) was answered \(response.status)") }
    }

    /// `path`, as the administrator; the body's size.
    private func get(_ path: String, _ serve: ServeChild, _ tokens: BenchmarkTokens, _ client: HTTPClient) async throws -> Int {
        var request = HTTPClientRequest(url: serve.url + path)
        request.headers.add(name: "Authorization", value: "Bearer \(tokens.admin)")
        let response = try await client.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 256 << 20)
        guard response.status == .ok else { throw BenchmarkError("\(path) was answered \(response.status)") }
        return body.readableBytes
    }
}

/// Issue 23, the agent's side: what reporting costs a watching agent.
///
/// Two `watch` children idle over the same time, each on a drop folder of
/// its own (100 sets of two pictures, 20 sets whose metadata names an
/// unknown seed: twenty folders in error, the most a report lists): one
/// through `serve` with the quiet time at 4 s, so it reports every 2 s,
/// thirty times the default pace; one writing the embedded datastore
/// directly, which reports nothing. The difference of their CPU time is
/// what reporting costs, at that pace; the reporting agent's resident
/// memory is read at the start and the end of the time.
struct FleetAgentCase {
    var period: Duration

    func run(in directory: String) async throws -> CaseResult {
        let tokens = try BenchmarkTokens(at: directory + "/tokens", count: 1)
        let serve = try ServeChild(stateDirectory: directory + "/serve", arguments: ["--tokens-file", tokens.path, "--fleet-quiet-after", "4"])
        defer { serve.stop() }
        let direct = AgentCommand(stateDirectory: directory + "/direct")
        try direct.registerUser()
        let reporting = AgentCommand(stateDirectory: directory + "/reporting", api: serve.url)
        var watches: [SpawnedProcess] = []
        defer { for watch in watches where watch.isRunning { watch.forceStop() } }
        for (name, agent, environment) in [("direct", direct, [:]), ("reporting", reporting, ["NACHET_SYNC_TOKEN": tokens.labPCs[0]])] {
            let drop = directory + "/drop-\(name)"
            _ = try BenchmarkData.dropFolder(at: drop, count: 200, size: 4096, perSet: 2)
            let builder = DropFolderBuilder(root: drop)
            for set in 0..<20 {
                _ = try builder.makeSet("typo-\(set)", metadata: DropFolderBuilder.metadata(email: BenchmarkData.email, seed: "Bromus secalnus"))
                for image in 0..<2 { _ = try builder.writeImage("img-\(image).png", in: "typo-\(set)", seed: UInt64(10_000 + set * 2 + image), size: 4096) }
            }
            watches.append(
                try ChildRun.spawn(AgentCommand.executable, ["watch"] + agent.options + [drop], environment: environment, outputPath: directory + "/\(name).log"))
        }
        try await Task.sleep(for: .seconds(20))  // start-up, the first scan, the uploads
        let reportsBefore = reportCount(serve)
        let ticksBefore = try watches.map { try ChildRun.cpuTicks(of: $0.pid) }
        let residentBefore = ChildRun.residentKiB(of: watches[1].pid)
        try await Task.sleep(for: period)
        let ticksAfter = try watches.map { try ChildRun.cpuTicks(of: $0.pid) }
        let residentAfter = ChildRun.residentKiB(of: watches[1].pid)
        let reports = reportCount(serve) - reportsBefore
        for watch in watches { try await watch.stop(within: .seconds(120)) }
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        let used = zip(ticksBefore, ticksAfter).map { $1 - $0 }
        let seconds = Seconds.of(period)
        let extraShare = Double(used[1] - used[0]) / hertz / seconds * 100
        let reportBytes = lastReportBytes(serve)
        guard reports > 0 else { throw BenchmarkError("the agent sent no report: \(serve.logPath)") }
        return CaseResult(
            name: "a report's cost to watch, 120 folders (20 in error), a report every 2 s for \(Int(seconds)) s",
            agent:
                "\(reports) reports of \(reportBytes) bytes: +\(used[1] - used[0]) CPU ticks over the direct agent (\(String(format: "%.2f", extraShare)) % of a core at 30× the default pace); RSS \(Show.mebibytes(kibibytes: residentBefore)) → \(Show.mebibytes(kibibytes: residentAfter))",
            peer: "the same watch writing the datastore directly, no reports: \(used[0]) ticks",
            ratio: "–",
            goal: "< 1 % of a core, < 1 MiB",
            met: extraShare < 1 && residentAfter - residentBefore < 1024,
            values: [
                "reports": Double(reports), "report_bytes": Double(reportBytes), "reporting_ticks": Double(used[1]), "direct_ticks": Double(used[0]),
                "extra_cpu_percent": extraShare, "reporting_rss_before_kib": Double(residentBefore),
                "reporting_rss_after_kib": Double(residentAfter), "seconds": seconds,
            ]
        )
    }

    /// The access log's lines of `/agent-report`, in serve's JSON log.
    private func reportLines(_ serve: ServeChild) -> [[String: Any]] {
        let log = (try? String(contentsOfFile: serve.logPath, encoding: .utf8)) ?? ""
        return log.split(separator: "\n").compactMap { line in
            guard line.contains("/agent-report"), let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                object["route"] as? String == "/agent-report"
            else { return nil }
            return object
        }
    }

    private func reportCount(_ serve: ServeChild) -> Int { reportLines(serve).count }

    private func lastReportBytes(_ serve: ServeChild) -> Int {
        reportLines(serve).last.flatMap { ($0["bytes_in"] as? String).flatMap(Int.init) } ?? 0
    }
}

extension Sequence {
    /// The results of `transform` on each element, one after another.
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
