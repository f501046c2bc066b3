import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The proxy the benchmark puts between the agent and a datastore "far
/// away": it must pass every byte, both ways, in order, and hold each
/// exchange back by its round trip. Times are only bounded from below:
/// these machines are loaded, so a round trip may take any longer.
@Suite("delaying proxy")
struct DelayingProxyTests {
    private let roundTrip = Duration.milliseconds(20)

    @Test func aPostgresQueryThroughTheProxyAnswersAndTakesAtLeastTheRoundTrip() async throws {
        let database = try await PostgresServer.shared.value.makeDatabase()
        let (proxy, url) = try await DelayingProxy.start(inFrontOf: database, roundTrip: roundTrip)
        defer { Task { await proxy.stop() } }
        let connection = PostgresConnection(connectionString: url, schema: nil)

        let (rows, seconds) = try await connection.withSession { session in
            _ = try session.query("SELECT 1")  // connects first
            let start = ContinuousClock.now
            let rows = try session.query("SELECT $1::text || repeat('x', 100000)", "through the proxy ")
            return (rows, ContinuousClock.now - start)
        }
        await connection.close()

        #expect(rows == [["through the proxy " + String(repeating: "x", count: 100_000)]])
        #expect(seconds >= roundTrip, "a query's round trip took \(seconds)")
    }

    @Test func azureUploadsAndReadBacksCrossTheProxyIntact() async throws {
        let emulator = try await AzureEmulator.start()
        let proxy = try await DelayingProxy.start(to: emulator.port, roundTrip: roundTrip)
        defer { Task { await proxy.stop() } }
        let store = AzureBlobStore(
            account: try AzureAccount(parsing: emulator.connectionString(port: proxy.port)),
            options: AzureUploadOptions(verifyByReadingBack: true),
            logger: TestDatastore.quietLogger
        )
        try await store.createContainerIfMissing("far")
        let directory = TemporaryDirectory()

        // One Put Blob of 1 MiB, and 20 MiB in blocks; each read back through
        // the proxy and compared by SHA-256 before the put counts.
        for (index, size) in [1 << 20, 20 << 20].enumerated() {
            let path = directory.appending("blob-\(index).png")
            let bytes = Self.pattern(size)
            try bytes.write(to: URL(fileURLWithPath: path))
            let blob = BlobReference(container: "far", name: "set/\(index).png")
            let hash = try FileContent(path: path).sha256().hash
            let outcome = try await store.putIfAbsent(
                blob, content: try await store.fingerprint(try SourceFile.open(path: path)), properties: BlobUploadProperties(sha256: hash, tags: [:]))
            #expect(outcome == .created)
            #expect(emulator.blobData(container: "far", name: blob.name) == bytes)
        }
        await emulator.stop()
    }

    @Test func aSenderFasterThanItsReceiverWaitsInsteadOfFillingTheProxy() async throws {
        let listener = try LoopbackSocket.listen()
        let proxy = try await DelayingProxy.start(to: listener.port, roundTrip: roundTrip)
        defer { Task { await proxy.stop() } }
        let upload = Self.pattern(64 << 20)
        let download = Self.pattern(16 << 20)

        async let answer = onThread {
            let client = try LoopbackSocket.connect(port: proxy.port)
            try client.send(upload)
            return try client.receive()  // until the server's close comes through
        }
        let received = try await onThread {
            let server = try listener.accept()
            Thread.sleep(forTimeInterval: 1)  // the receiver lags: the sender must wait for it
            let received = try server.receive(upTo: upload.count)
            try server.send(download)
            server.shutdownBothWays()
            return received
        }

        #expect(received.count == upload.count && received == upload, "\(received.count) of \(upload.count) bytes came intact")
        let answered = try await answer
        #expect(answered.count == download.count && answered == download, "\(answered.count) of \(download.count) bytes came back intact")
        // Past the limit by at most a few reads: NIO may deliver several
        // reads of up to 1 MiB for one request to read, more on a loaded
        // machine (10 MiB seen once); 64 MiB is what an unbounded proxy holds.
        #expect(
            proxy.peakHeldBytes <= DelayingProxy.heldBytesLimit + (4 << 20),
            "the proxy held \(proxy.peakHeldBytes) bytes at once, over its limit of \(DelayingProxy.heldBytesLimit)")
    }

    /// `count` random bytes, quick to make: a random block of a prime
    /// length (so no chunk boundary lines up with it), repeated.
    private static func pattern(_ count: Int) -> Data {
        let block = Data((0..<1_000_003).map { _ in UInt8.random(in: 0...255) })
        var data = Data(capacity: count)
        while data.count < count { data.append(block.prefix(count - data.count)) }
        return data
    }
}
