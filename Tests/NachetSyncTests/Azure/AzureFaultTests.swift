import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The Azure backend against a misbehaving service: every picture still
/// arrives exactly once with its bytes intact.
@Suite("Azure backend under faults")
struct AzureFaultTests {
    /// A drop folder of `count` images, every fifth one large enough to go in blocks.
    private func fill(_ datastore: TestDatastore, count: Int) throws {
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        for index in 0..<count {
            let size = index % 5 == 0 ? 50_000 : 3_000
            try datastore.drop.writeImage("img-\(index).png", in: "lot-1", seed: UInt64(index), size: size)
        }
    }

    /// Exactly `count` pictures, one blob each, each blob's bytes hashing to its row.
    private func expectExactlyOnce(_ datastore: TestDatastore, count: Int) async throws {
        let rows = try await datastore.pictureRows()
        #expect(rows.count == count)
        #expect(try await datastore.rowCount("picture_seed") == count)
        let blobs = datastore.pictureBlobNames()
        #expect(blobs.count == count)
        for row in rows {
            let blob = try #require(blobs.first { $0.hasSuffix("/" + row.id) })
            #expect(try datastore.blobSHA256(blob) == row.json["sha256"] as? String, "bytes verified for \(row.id)")
        }
    }

    /// Syncs until a pass ends without a stopping error (a fault may outlast the retries).
    private func syncUntilDone(_ datastore: TestDatastore) async throws -> Int {
        for pass in 1...20 {
            do {
                let report = try await datastore.sync()
                if report.errors == 0 { return pass }
            } catch is SyncRunError {
                continue
            }
        }
        return 0
    }

    /// The faults of the issue: a fifth of requests answered 503, or a fifth
    /// of connections cut in the middle of the upload.
    enum Fault: String, CaseIterable, CustomTestStringConvertible {
        case serverBusy
        case connectionDropped

        var testDescription: String { rawValue }
    }

    @Test(arguments: Fault.allCases)
    func everyPictureArrivesOnceWithItsBytesDespite(fault: Fault) async throws {
        let datastore = try await TestDatastore.make(blobs: .azure)
        let emulator = try #require(datastore.emulator)
        try fill(datastore, count: 40)
        emulator.setFaults { faults in
            switch fault {
            case .serverBusy: faults.failureRate = 0.2
            case .connectionDropped: faults.dropRate = 0.2
            }
        }

        let passes = try await syncUntilDone(datastore)

        #expect(passes > 0)
        switch fault {
        case .serverBusy: #expect(emulator.requests.contains { $0.status == 503 }, "faults were injected")
        case .connectionDropped: #expect(emulator.droppedConnections > 0, "connections were cut")
        }
        try await expectExactlyOnce(datastore, count: 40)
    }

    @Test func aRerunAfterSuccessSendsNoPut() async throws {
        let datastore = try await TestDatastore.make(blobs: .azure)
        let emulator = try #require(datastore.emulator)
        try fill(datastore, count: 10)
        _ = try await datastore.sync()
        emulator.clearLog()

        let report = try await datastore.sync()

        #expect(report.unchanged == 10)
        #expect(emulator.requests.filter { $0.method == "PUT" }.isEmpty, "\(emulator.requests.map { "\($0.method) \($0.path)" })")
    }

    @Test func aLostStateFileRerunsWithoutUploadingBytesAgain() async throws {
        let datastore = try await TestDatastore.make(blobs: .azure)
        let emulator = try #require(datastore.emulator)
        try fill(datastore, count: 10)
        _ = try await datastore.sync()
        emulator.clearLog()

        let fresh = try SyncState(directory: datastore.directory.appending("other-state"))
        let report = try await datastore.sync(datastore.engine(state: fresh))

        #expect(report.alreadyStored == 10)
        let puts = emulator.requests.filter { $0.method == "PUT" && $0.comp != nil }
        #expect(puts.isEmpty, "only HEADs prove the blobs are there: \(puts.map(\.path))")
    }

    @Test func aWrongKeyStopsThePassWithAPlainMessageAndNoSecret() async throws {
        let emulator = try await AzureEmulator.start()
        let wrongKey = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXk="
        let store = AzureBlobStore(
            account: try AzureAccount(
                parsing: emulator.connectionString.replacingOccurrences(of: AzureEmulator.accountKey, with: wrongKey)),
            logger: TestDatastore.quietLogger
        )
        await #expect {
            try await store.createContainerIfMissing("user-1")
        } throws: { error in
            let text = "\(error)"
            return (error as? BlobStoreError)?.code == .denied && text.contains("403") && text.contains("account key is probably wrong")
                && !text.contains(wrongKey) && !text.contains(AzureEmulator.accountKey)
        }
        await emulator.stop()
    }

    @Test func corruptionAtRestIsCaughtByReadingBack() async throws {
        let emulator = try await AzureEmulator.start()
        let directory = TemporaryDirectory()
        let path = directory.appending("a.png")
        try DropFolderBuilder.imageBytes(seed: 3, size: 40_000).write(to: URL(fileURLWithPath: path))
        let hash = try FileContent(path: path).sha256().hash
        var options = TestDatastore.smallAzureUploads
        options.verifyByReadingBack = true
        let store = AzureBlobStore(
            account: try AzureAccount(parsing: emulator.connectionString), options: options, logger: TestDatastore.quietLogger)
        try await store.createContainerIfMissing("user-1")
        emulator.setFaults { $0.corruptNextCommits = 1 }

        await #expect {
            _ = try await store.putIfAbsent(
                BlobReference(container: "user-1", name: "lot/a"),
                content: try await store.fingerprint(try SourceFile.open(path: path)),
                properties: BlobUploadProperties(sha256: hash, tags: [:])
            )
        } throws: { error in
            "\(error)".contains("read back holds other bytes")
        }
        await emulator.stop()
    }

    /// With the piece checksums taken when hashing (the engine's way) and without.
    @Test(arguments: [true, false])
    func anInterruptedLargeUploadResumesFromTheStagedBlocks(hashedWithPieces: Bool) async throws {
        let emulator = try await AzureEmulator.start()
        let directory = TemporaryDirectory()
        let path = directory.appending("large.tif")
        let size = 200 << 20
        // 200 MiB, written in pieces to keep the test's own memory small.
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        for piece in 0..<50 { try handle.write(contentsOf: DropFolderBuilder.imageBytes(seed: UInt64(piece), size: size / 50)) }
        try handle.close()
        let options = AzureUploadOptions(singlePutLimit: 8 << 20, blockSize: 4 << 20, blocksInFlight: 4)
        let store = AzureBlobStore(
            account: try AzureAccount(parsing: emulator.connectionString), options: options, logger: TestDatastore.quietLogger)
        let fingerprint = try FileContent(path: path).fingerprint(pieceSize: store.stagingPlan(forSize: Int64(size)).pieceSize)
        let hash = fingerprint.sha256
        let content = FingerprintedContent(
            sha256: hash, size: Int64(size), pieces: hashedWithPieces ? fingerprint.pieces : nil, bytes: .file(try SourceFile.open(path: path)))
        try await store.createContainerIfMissing("user-1")
        let blob = BlobReference(container: "user-1", name: "lot/large")
        let properties = BlobUploadProperties(sha256: hash, tags: [:])
        let totalBlocks = size / (4 << 20)

        let first = Task { try await store.putIfAbsent(blob, content: content, properties: properties) }
        while emulator.stagedBlockCount(container: "user-1", name: "lot/large") < totalBlocks * 6 / 10 {
            try await Task.sleep(for: .milliseconds(5))
        }
        // From here every request is refused, so however fast the first
        // attempt runs, it cannot stage its last blocks nor commit before
        // it is stopped.
        emulator.setFaults { $0.failureRate = 1 }
        first.cancel()
        _ = await first.result
        emulator.setFaults { $0 = AzureEmulator.Faults() }
        let staged = emulator.stagedBlockCount(container: "user-1", name: "lot/large")
        #expect(staged < totalBlocks, "the first attempt was stopped before the end")
        emulator.clearLog()

        #expect(try await store.putIfAbsent(blob, content: content, properties: properties) == .created)

        // Blocks the first attempt had in flight when it was stopped may reach
        // the emulator after the log was cleared, so they are allowed for.
        let blocksSentAgain = emulator.requests.filter { $0.comp == "block" }.count
        #expect(
            blocksSentAgain <= totalBlocks - staged + options.blocksInFlight,
            "only the blocks not staged were sent (\(blocksSentAgain) of \(totalBlocks), \(staged) staged)"
        )
        #expect(blocksSentAgain < totalBlocks / 2, "the upload resumed instead of starting over")
        let stored = try #require(emulator.blobData(container: "user-1", name: "lot/large"))
        #expect(stored.count == size)
        let storedPath = directory.appending("stored.tif")
        try stored.write(to: URL(fileURLWithPath: storedPath))
        #expect(try FileContent(path: storedPath).sha256().hash == hash, "the committed blob holds the file's bytes")
        #expect(try await store.properties(of: blob)?.sha256 == hash)
        await emulator.stop()
    }
}
