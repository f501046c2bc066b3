import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// The agent in client mode (`--nachet-url`), end to end: the built
/// executable uploading through a real `serve` on 127.0.0.1, the rows and
/// blobs checked in the server's datastore.
@Suite("the agent uploading through serve", .serialized)
struct APIClientEndToEndTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/drop").path

    @Test func theExamplesArriveAsWhenWrittenDirectlyAndARerunSendsNothing() async throws {
        let counter = AccessLogCounter()
        try await ServerHarness.with(logger: counter.logger()) { harness in
            let directory = TemporaryDirectory()
            let agent = ClientAgent(url: harness.baseURL, state: directory.appending("state"), token: harness.token)
            let first = try await agent.sync(Self.examples)
            #expect(first.status == 2, "bromus-typo has a misspelt seed: \(first.output) \(first.errors)")
            #expect(first.output.contains("2 sets, 5 pictures uploaded, 1 skipped as already there"), "\(first.output)")
            #expect(first.output.contains("did you mean \"Bromus secalinus\"?"), "\(first.output)")
            #expect(first.output.contains("→ \(harness.baseURL)"), "\(first.output)")
            #expect(try await harness.datastore.rowCount("picture") == 5)
            #expect(try await harness.datastore.rowCount("picture_seed") == 5)
            let sets = try await harness.datastore.numberOfImages()
            #expect(sets["canola-2026-11-03"] == 3 && sets["thistle-batch-7"] == 2, "\(sets)")
            let user = harness.userID
            let blobs = harness.datastore.blobNames().filter { $0.hasPrefix("user-\(user)/") && !$0.hasSuffix(".json") }
            #expect(blobs.count == 5, "\(blobs)")
            #expect(!first.errors.contains(harness.token) && !first.output.contains(harness.token), "the token is never said")

            let uploadsBefore = counter.count("/upload-picture-raw")
            let setsBefore = counter.count("/new-batch-import")
            let second = try await agent.sync(Self.examples)
            #expect(second.status == 2)
            #expect(second.output.contains("0 pictures uploaded") || !second.output.contains("uploaded,"), "\(second.output)")
            #expect(counter.count("/upload-picture-raw") == uploadsBefore, "a rerun sends no picture: \(counter.all)")
            #expect(counter.count("/new-batch-import") == setsBefore, "nor makes a set: \(counter.all)")
            #expect(try await harness.datastore.rowCount("picture") == 5)
        }
    }

    @Test func twoThousandFilesAreStoredExactlyOnceAndARerunSendsNothing() async throws {
        let counter = AccessLogCounter()
        try await ServerHarness.with(logger: counter.logger()) { harness in
            let directory = TemporaryDirectory()
            let drop = try makeDropFolder(in: directory, count: 2000)
            let agent = ClientAgent(url: harness.baseURL, state: directory.appending("state"), token: harness.token)
            let first = try await agent.sync(drop)
            #expect(first.status == 0, "\(first.output) \(first.errors)")
            #expect(first.output.contains("2000 pictures uploaded"), "\(first.output)")
            #expect(counter.count("/upload-picture-raw") == 2000, "one request per picture: \(counter.all)")
            let rows = try await harness.datastore.pictureRows()
            #expect(rows.count == 2000)
            #expect(Set(rows.compactMap { $0.json["sha256"] as? String }).count == 2000, "no picture twice")
            #expect(try await harness.datastore.numberOfImages()["lot-1"] == 2000)
            let blobs = harness.datastore.blobNames().filter { $0.contains("/lot-1/") && !$0.hasSuffix(".json") }
            #expect(blobs.count == 2000)
            #expect(Set(rows.map { "user-\(harness.userID)/lot-1/\($0.id)" }) == Set(blobs), "each row has its blob, and nothing else is there")

            let second = try await agent.sync(drop)
            #expect(second.status == 0)
            #expect(second.output.contains("2000 skipped as already there (2000 without reading)"), "\(second.output)")
            #expect(counter.count("/upload-picture-raw") == 2000, "a rerun sends nothing: \(counter.all)")
            #expect(counter.count("/new-batch-import") == 1, "\(counter.all)")
        }
    }

    @Test func watchUploadsFilesAsTheyArriveThroughServe() async throws {
        try await ServerHarness.with { harness in
            let directory = TemporaryDirectory()
            let drop = try makeDropFolder(in: directory, count: 10)
            let box = ProcessIDBox()
            let agent = ClientAgent(url: harness.baseURL, state: directory.appending("state"), token: harness.token)
            let watching = Task { try await agent.watch(drop, onStart: box.set) }
            #expect(try await eventually(within: .seconds(120)) { try await harness.datastore.rowCount("picture") == 10 })
            // Files arriving later are taken too.
            let builder = DropFolderBuilder(root: drop)
            for index in 0..<5 { _ = try builder.writeImage("late-\(index).png", in: "lot-1", seed: 1000 + UInt64(index)) }
            #expect(try await eventually(within: .seconds(120)) { try await harness.datastore.rowCount("picture") == 15 })
            if let pid = box.pid { kill(pid, SIGTERM) }
            let run = try await watching.value
            #expect(run.status == 0, "\(run.errors)")
            #expect(!run.errors.contains(harness.token), "the token is never logged")
        }
    }

    @Test func aWrongOrMissingTokenStopsTheAgentNamingTheFix() async throws {
        try await ServerHarness.with { harness in
            let directory = TemporaryDirectory()
            let drop = try makeDropFolder(in: directory, count: 3)
            let wrong = "nst_" + String(repeating: "A", count: 43)
            let refused = try await ClientAgent(url: harness.baseURL, state: directory.appending("state-1"), token: wrong).sync(drop)
            #expect(refused.status == 3, "\(refused.output) \(refused.errors)")
            #expect(refused.errors.contains("refused the token"), "\(refused.errors)")
            #expect(refused.errors.contains("serve token add"), "the fix: \(refused.errors)")
            #expect(!refused.errors.contains(wrong) && !refused.output.contains(wrong), "the token is never said")

            let missing = try await ClientAgent(url: harness.baseURL, state: directory.appending("state-2"), token: nil).sync(drop)
            #expect(missing.status == 3, "\(missing.output) \(missing.errors)")
            #expect(missing.errors.contains("NACHET_SYNC_TOKEN"), "\(missing.errors)")
            #expect(try await harness.datastore.rowCount("picture") == 0)
        }
    }

    @Test func theAPIAndTheDatastoreAreNotGivenTogether() async throws {
        let directory = TemporaryDirectory()
        let drop = try makeDropFolder(in: directory, count: 1)
        let both = try await ClientAgent(
            url: "http://127.0.0.1:9", state: directory.appending("state"), token: "nst_x",
            extraArguments: ["--catalogue", directory.appending("c.sqlite")]
        ).sync(drop)
        #expect(both.status == 3 && both.errors.contains("drop --catalogue and --blob-store"), "\(both.errors)")
        let tokenOnly = try await AgentRun.run(
            ServeProcess.executable, ["sync", "--state-dir", directory.appending("state"), "--token", "nst_y", drop])
        #expect(tokenOnly.status == 3 && tokenOnly.errors.contains("--nachet-url"), "\(tokenOnly.errors)")
    }

    @Test func anUnreachableServerIsATransientStop() async throws {
        let directory = TemporaryDirectory()
        let drop = try makeDropFolder(in: directory, count: 1)
        // A port nothing listens on: bound, then closed.
        let run = try await ClientAgent(url: "http://127.0.0.1:9", state: directory.appending("state"), token: "nst_x").sync(drop)
        #expect(run.status == 3, "\(run.output) \(run.errors)")
        #expect(run.errors.contains("cannot reach the Nachet API at http://127.0.0.1:9"), "\(run.errors)")
        #expect(!run.errors.contains("nst_x"))
    }
}
