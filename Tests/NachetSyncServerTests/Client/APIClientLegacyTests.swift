import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The agent speaking Nachet's legacy routes (`--legacy-api`: JSON data
/// URLs to `/upload-picture`, sets found through `/get-directories`, the
/// seed's id from `/seeds`, no token), against `serve` in development mode,
/// which answers those routes as Nachet's backend does.
@Suite("the agent on Nachet's legacy routes", .serialized)
struct APIClientLegacyTests {
    @Test func legacyRoutesStoreEveryFileOnceAndARerunSendsNothing() async throws {
        let counter = AccessLogCounter()
        try await ServerHarness.with(development: true, logger: counter.logger()) { harness in
            let directory = TemporaryDirectory()
            let drop = try makeDropFolder(in: directory, count: 30)
            // A copy of one image under another name: sent once.
            try FileManager.default.copyItem(atPath: drop + "/lot-1/img-00000.png", toPath: drop + "/lot-1/copy-of-0.png")
            let agent = ClientAgent(url: harness.baseURL, state: directory.appending("state"), token: nil, extraArguments: ["--legacy-api"])
            let first = try await agent.sync(drop)
            #expect(first.status == 0, "\(first.output) \(first.errors)")
            #expect(first.output.contains("30 pictures uploaded, 1 skipped as already there"), "\(first.output)")
            #expect(counter.count("/upload-picture") == 30, "one JSON upload per distinct picture: \(counter.all)")
            #expect(counter.count("/upload-picture-raw") == 0 && counter.count("/health") == 0, "\(counter.all)")
            #expect(counter.count("/get-directories") >= 1 && counter.count("/seeds") >= 1, "\(counter.all)")
            let rows = try await harness.datastore.pictureRows()
            #expect(rows.count == 30)
            #expect(try await harness.datastore.numberOfImages()["lot-1"] == 30)

            let second = try await agent.sync(drop)
            #expect(second.status == 0)
            #expect(counter.count("/upload-picture") == 30, "a rerun sends nothing: \(counter.all)")
            #expect(counter.count("/new-batch-import") == 1, "the set is found through /get-directories: \(counter.all)")
        }
    }

    @Test func anImageOverTheLegacyLimitIsRefusedNamingServe() async throws {
        try await ServerHarness.with(development: true) { harness in
            let directory = TemporaryDirectory()
            let drop = try makeDropFolder(in: directory, count: 1)
            try DropFolderBuilder.imageBytes(seed: 99, size: 13 << 20).write(to: URL(fileURLWithPath: drop + "/lot-1/huge.png"))
            let agent = ClientAgent(url: harness.baseURL, state: directory.appending("state"), token: nil, extraArguments: ["--legacy-api"])
            let run = try await agent.sync(drop)
            #expect(run.status == 2, "\(run.output) \(run.errors)")
            #expect(run.output.contains("huge.png") && run.output.contains("nachet-sync serve"), "\(run.output)")
            #expect(try await harness.datastore.rowCount("picture") == 1)
        }
    }

    @Test func nachetsOwnBackendIsRecognisedAndEachPictureSentOnce() async throws {
        let server = LegacyNachetServer()
        server.registerUser(TestDatastore.technician)
        try await server.start()
        let directory = TemporaryDirectory()
        let drop = try makeDropFolder(in: directory, count: 20)
        let agent = ClientAgent(url: server.url, state: directory.appending("state"), token: nil)
        let first = try await agent.sync(drop)
        #expect(first.status == 0, "\(first.output) \(first.errors)")
        #expect(first.output.contains("20 pictures uploaded"), "\(first.output)")
        #expect(first.errors.contains("Nachet's own backend"), "the log says which server it found: \(first.errors)")
        #expect(server.pictures.count == 20 && Set(server.pictures.map(\.sha256)).count == 20)
        #expect(server.requests("/health") == 1)

        let second = try await agent.sync(drop)
        #expect(second.status == 0)
        #expect(server.requests("/upload-picture") == 20, "a rerun sends nothing")

        // Another PC's state (or a lost state file): Nachet refuses the set's
        // name again ("Folder already exists"), so the set is found through
        // /get-directories; and, as the README says, without duplicate
        // detection on the server every picture is sent and stored again.
        let other = try await ClientAgent(url: server.url, state: directory.appending("state-2"), token: nil).sync(drop)
        #expect(other.status == 0, "\(other.output) \(other.errors)")
        #expect(server.setCount == 2, "General and lot-1: the set was found, not made twice")
        #expect(server.pictures.count == 40 && Set(server.pictures.map(\.setID)).count == 1)
        try await server.stop()
    }
}
