import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// Crash safety and concurrency of the agent in client mode: killed at
/// random points and restarted, or four of them sending the same folder
/// through one `serve` at once, every picture is stored exactly once.
@Suite("the agent through serve, killed or in fours", .serialized)
struct APIClientCrashAndConcurrencyTests {
    @Test func anAgentKilledAtRandomPointsStoresEveryPictureOnce() async throws {
        let counter = AccessLogCounter()
        try await ServerHarness.with(logger: counter.logger()) { harness in
            let directory = TemporaryDirectory()
            let drop = try makeDropFolder(in: directory, count: 500)
            let agent = ClientAgent(url: harness.baseURL, state: directory.appending("state"), token: harness.token)
            var kills = 0
            for _ in 0..<3 {
                let target = counter.count("/upload-picture-raw") + Int.random(in: 5...120)
                let box = ProcessIDBox()
                let ended = Flag()
                let running = Task {
                    defer { ended.set() }
                    return try await agent.sync(drop, onStart: box.set)
                }
                // Killed once the server has taken that many uploads (or the agent ended first).
                _ = try await eventually(within: .seconds(300)) { counter.count("/upload-picture-raw") >= target || ended.isSet }
                if let pid = box.pid, !ended.isSet { kill(pid, SIGKILL) }
                let run = try await running.value
                if run.status == 0 { break }
                kills += 1
            }
            #expect(kills >= 1, "the agent was killed mid-upload")
            let last = try await agent.sync(drop)
            #expect(last.status == 0, "\(last.output) \(last.errors)")
            let rows = try await harness.datastore.pictureRows()
            #expect(rows.count == 500, "after \(kills) kills")
            #expect(Set(rows.compactMap { $0.json["sha256"] as? String }).count == 500, "no duplicate")
            #expect(try await harness.datastore.numberOfImages()["lot-1"] == 500)
            let blobs = harness.datastore.blobNames().filter { $0.contains("/lot-1/") && !$0.hasSuffix(".json") }
            #expect(blobs.count == 500)
        }
    }

    @Test func fourAgentsSendingCopiesOfOneFolderStoreEachPictureOnce() async throws {
        let counter = AccessLogCounter()
        try await ServerHarness.with(logger: counter.logger()) { harness in
            let directory = TemporaryDirectory()
            let original = try makeDropFolder(in: directory, count: 300)
            var drops: [String] = []
            for index in 0..<4 {
                let copy = directory.appending("copy-\(index)")
                try FileManager.default.copyItem(atPath: original, toPath: copy)
                drops.append(copy)
            }
            let runs = try await withThrowingTaskGroup(of: AgentRun.self) { group in
                for (index, drop) in drops.enumerated() {
                    let agent = ClientAgent(url: harness.baseURL, state: directory.appending("state-\(index)"), token: harness.token)
                    group.addTask { try await agent.sync(drop) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            for run in runs { #expect(run.status == 0, "\(run.output) \(run.errors)") }
            let rows = try await harness.datastore.pictureRows()
            #expect(rows.count == 300, "every picture stored once")
            #expect(Set(rows.map(\.set)).count == 1, "one set for the four copies")
            #expect(Set(rows.compactMap { $0.json["sha256"] as? String }).count == 300)
            let blobs = harness.datastore.blobNames().filter { $0.contains("/lot-1/") && !$0.hasSuffix(".json") }
            #expect(blobs.count == 300)
            #expect(counter.count("/upload-picture-raw") >= 300)
        }
    }
}
