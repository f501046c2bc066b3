import AsyncHTTPClient
import Foundation
import Glibc
import Logging
import NIOCore
import NIOHTTP1
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Synchronization
import Testing

/// What operators rely on: access logs without secrets, `/health`, a
/// graceful stop, and the command's SIGHUP and SIGTERM.
@Suite("serve: operations")
struct OperationsTests {
    /// Log lines with their metadata, as the access log writes them.
    final class RecordedLog: Sendable {
        private let lines = Mutex<[(message: String, metadata: [String: String])]>([])

        var logger: Logger {
            var logger = Logger(label: "recorded") { _ in Handler(log: self) }
            logger.logLevel = .debug
            return logger
        }

        var entries: [(message: String, metadata: [String: String])] { lines.withLock { $0 } }

        /// Everything logged, as one text.
        var text: String { entries.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n") }

        struct Handler: LogHandler {
            let log: RecordedLog
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]

            subscript(metadataKey key: String) -> Logger.Metadata.Value? {
                get { metadata[key] }
                set { metadata[key] = newValue }
            }

            func log(event: LogEvent) {
                var fields = metadata
                fields.merge(event.metadata ?? [:]) { $1 }
                let entry = (message: "\(event.message)", metadata: fields.mapValues { "\($0)" })
                log.lines.withLock { $0.append(entry) }
            }
        }
    }

    @Test func accessLogsSayWhoDidWhatAndNeverATokenOrAnImage() async throws {
        let log = RecordedLog()
        try await ServerHarness.with(logger: log.logger) { harness in
            let session = try await harness.newSession()
            let bytes = DropFolderBuilder.imageBytes(seed: 9, size: 30_000)
            let upload = try await harness.post("/upload-picture", harness.uploadFields(session: session, bytes: bytes))
            #expect(upload.status == 200)
            _ = try await harness.send(.GET, "/seeds", credentials: .bearer("nst_wrong-token"))

            let requests = log.entries.filter { $0.message == "request" }.map(\.metadata)
            let stored = try #require(requests.first { $0["route"] == "/upload-picture" })
            #expect(stored["method"] == "POST" && stored["status"] == "200")
            #expect(stored["caller"] == "lab-pc-1" && stored["user"] == harness.userID)
            #expect(Int(stored["bytes_in"] ?? "") ?? 0 > 40_000)
            #expect(stored["bytes_out"] == "6")
            #expect(Double(stored["duration_ms"] ?? "") != nil)
            #expect(stored["hb.request.id"] != nil)
            let refused = try #require(requests.first { $0["route"] == "/seeds" })
            #expect(refused["status"] == "401" && refused["caller"] == nil)

            let everything = log.text
            #expect(!everything.contains(harness.token))
            #expect(!everything.contains("nst_wrong-token"))
            #expect(!everything.contains(String(bytes.base64EncodedString().prefix(40))))
        }
    }

    @Test func healthSaysWhetherTheCatalogueAndTheBlobStoreAnswer() async throws {
        try await ServerHarness.with { harness in
            let answer = try await harness.send(.GET, "/health", credentials: .none)
            #expect(answer.status == 200)
            #expect(answer.json as? [String: String] == ["status": "ok", "catalogue": "ok", "blob_store": "ok"])
        }
        // A PostgreSQL server that is not there.
        let directory = TemporaryDirectory()
        let down = PostgresCatalogue(connectionString: "postgresql://nobody@127.0.0.1:1/nachet", schema: nil)
        let settings = ServerSettings(port: 0, access: .insecureDevelopment, spoolDirectory: directory.appending("spool"))
        let server = try NachetServer(
            settings: settings,
            datastore: ServerDatastore(catalogue: down, blobStore: try LocalBlobStore(root: directory.appending("blobs"))),
            logger: TestDatastore.quietLogger)
        let running = try await server.start()
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(running.port)/health"), timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        #expect(response.status == .serviceUnavailable)
        #expect(
            try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: String]
                == ["status": "unavailable", "catalogue": "unavailable", "blob_store": "ok"])
        // Another route tells the client to retry later.
        var seeds = HTTPClientRequest(url: "http://127.0.0.1:\(running.port)/seeds")
        seeds.method = .GET
        let refused = try await client.execute(seeds, timeout: .seconds(60))
        #expect(refused.status == .badRequest)
        #expect(refused.headers.first(name: "X-Nachet-Error") == "datastore-unavailable")
        #expect(refused.headers.first(name: "Retry-After") == "5")
        try await client.shutdown()
        try await running.stop()
    }

    @Test func stoppingLetsTheUploadInFlightFinish() async throws {
        let harness = try await ServerHarness.start()
        let session = try await harness.newSession()
        let bytes = DropFolderBuilder.imageBytes(seed: 11, size: 4 << 20)
        let firstPieceSent = Flag()
        // The body trickles in: 16 pieces, 50 ms apart.
        let pieces = SlowPieces(bytes: bytes, pieces: 16, delay: .milliseconds(50), onFirst: firstPieceSent)
        var request = HTTPClientRequest(url: harness.baseURL + UploadPictureRawRouteTests.query(harness, session: session))
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(harness.token)")
        request.headers.add(name: "X-Content-SHA256", value: bytes.sha256)
        request.body = .stream(pieces, length: .known(Int64(bytes.count)))
        let upload = Task { try await harness.client.execute(request, timeout: .seconds(120)) }
        #expect(try await eventually { firstPieceSent.isSet })
        let stopping = Task { try await harness.running.stop() }
        let response = try await upload.value
        #expect(response.status == .ok)
        try await stopping.value
        #expect(try await harness.datastore.rowCount("picture") == 1)
        try await harness.client.shutdown()
        // Stopped: no longer listening.
        let late = HTTPClient(eventLoopGroupProvider: .singleton)
        await #expect(throws: (any Error).self) {
            _ = try await late.execute(HTTPClientRequest(url: harness.baseURL + "/health"), timeout: .seconds(10))
        }
        try await late.shutdown()
    }

    @Test func theCommandReloadsTokensOnSIGHUPAndStopsOnSIGTERM() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let store = try SQLiteCatalogue(path: state + "/catalogue.sqlite")
        _ = try await store.registerUser(email: TestDatastore.technician)
        let tokens = directory.appending("tokens")
        let first = try TokensFile.add(name: "lab-pc-1", users: [TestDatastore.technician], to: tokens)
        let serve = try await ServeProcess(arguments: ["--state-dir", state, "--tokens-file", tokens], directory: directory)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        func seeds(_ token: String) async throws -> Int {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(serve.port)/seeds")
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            return Int(try await client.execute(request, timeout: .seconds(60)).status.code)
        }
        #expect(try await seeds(first) == 200)
        let second = try TokensFile.add(name: "lab-pc-2", users: [TestDatastore.technician], to: tokens)
        #expect(try await seeds(second) == 401)
        kill(serve.process.processIdentifier, SIGHUP)
        #expect(try await eventually { serve.log.contains("tokens file read again") }, "\(serve.log)")
        #expect(try await seeds(second) == 200)
        try "lab-pc-3 nonsense\n".write(toFile: tokens, atomically: true, encoding: .utf8)
        kill(serve.process.processIdentifier, SIGHUP)
        #expect(try await eventually { serve.log.contains("cannot use the tokens file, keeping the tokens in use") }, "\(serve.log)")
        #expect(try await seeds(first) == 200)
        try await client.shutdown()
        #expect(try await serve.stop(SIGTERM) == 0)
        #expect(serve.log.contains("received SIGTERM; finishing the requests in flight, then stopping"))
        #expect(serve.log.contains("\"message\":\"stopped\""))
        #expect(!serve.log.contains(first) && !serve.log.contains(second))
    }
}

extension OperationsTests {
    @Test func theCommandRefusesToServeWithoutTokensOrWithoutThemOffLoopback() async throws {
        let directory = TemporaryDirectory()
        let cases: [([String], String)] = [
            ([], "serve needs --tokens-file"),
            (["--insecure-dev-no-auth", "--host", "0.0.0.0"], "listens on a loopback address only"),
            (["--insecure-dev-no-auth", "--tokens-file", directory.appending("tokens")], "choose one"),
            (["--tokens-file", directory.appending("none")], "cannot read the tokens file"),
            (["--insecure-dev-no-auth", "--tls-certificate", "cert.pem"], "--tls-certificate and --tls-key go together"),
        ]
        for (arguments, message) in cases {
            let errors = directory.appending("errors")
            let process = try SpawnedProcess(
                ServeProcess.executable, ["serve", "--state-dir", directory.appending("state")] + arguments,
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NACHET_") }, error: .file(errors))
            try await process.exit(within: .seconds(120))
            let text = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            #expect(process.terminationStatus == 3, "\(arguments)")
            #expect(text.contains(message), "\(arguments): \(text)")
        }
    }
}

/// Bytes sent in pieces, each after a pause.
struct SlowPieces: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let bytes: Data
    let pieces: Int
    let delay: Duration
    let onFirst: Flag

    struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: SlowPieces
        var index = 0

        mutating func next() async throws -> ByteBuffer? {
            guard index < sequence.pieces else { return nil }
            let size = (sequence.bytes.count + sequence.pieces - 1) / sequence.pieces
            let start = index * size
            let end = Swift.min(sequence.bytes.count, start + size)
            if index > 0 { try await Task.sleep(for: sequence.delay) }
            index += 1
            if index == 1 { sequence.onFirst.set() }
            return ByteBuffer(bytes: sequence.bytes[start..<end])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(sequence: self) }
}
