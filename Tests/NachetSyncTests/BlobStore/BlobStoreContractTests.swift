import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The behaviour every ``BlobStore`` must have; later backends (Azure on the
/// emulator) join the argument list.
@Suite("Blob store contract")
struct BlobStoreContractTests {
    enum Backend: String, CaseIterable, CustomTestStringConvertible {
        case local
        case azure

        var testDescription: String { rawValue }

        /// A fresh store, and the emulator behind it (kept alive by the test).
        /// - Parameter listPageSize: Names per List Blobs page, for Azure.
        func make(in directory: TemporaryDirectory, listPageSize: Int = 5_000) async throws -> (any BlobStore, AzureEmulator?) {
            switch self {
            case .local:
                return (try LocalBlobStore(root: directory.appending("blobs")), nil)
            case .azure:
                let emulator = try await AzureEmulator.start()
                var options = AzureUploadOptions(singlePutLimit: 64 << 10, blockSize: 16 << 10)
                options.listPageSize = listPageSize
                let store = AzureBlobStore(
                    account: try AzureAccount(parsing: emulator.connectionString),
                    options: options,
                    logger: TestDatastore.quietLogger
                )
                return (store, emulator)
            }
        }
    }

    private let blob = BlobReference(container: "user-1", name: "lot-1/4e1f0000-0000-4000-8000-000000000001")

    private func writeFile(_ directory: TemporaryDirectory, seed: UInt64, size: Int = 70_000) throws -> (String, ContentHash) {
        let path = directory.appending("source-\(seed).png")
        try DropFolderBuilder.imageBytes(seed: seed, size: size).write(to: URL(fileURLWithPath: path))
        return (path, try FileContent(path: path).sha256().hash)
    }

    /// A file's content hashed with the piece checksums the store asks for,
    /// its bytes kept in memory if asked, else left in the file (not written
    /// into a staging file as they are read, so the store reads them again).
    private func hashedContent(_ path: String, for store: any BlobStore, keeping: Bool = false) throws -> (FingerprintedContent, ContentHash) {
        let file = try SourceFile.open(path: path)
        var plan = store.stagingPlan(forSize: file.signature.size)
        plan.keepsInMemoryUpTo = keeping ? Int(file.signature.size) : 0
        let content = try FingerprintedContent.read(file, plan: plan)
        if case .memory = content.bytes { #expect(keeping) } else { #expect(!keeping) }
        return (content, content.sha256)
    }

    /// A file's content as the engine hands it over: read once for the store.
    private func readContent(_ path: String, for store: any BlobStore) async throws -> FingerprintedContent {
        try await store.fingerprint(try SourceFile.open(path: path))
    }

    /// A fresh store holding the container `user-1`, in a directory of its own.
    private func storeWithContainer(_ backend: Backend) async throws -> (TemporaryDirectory, any BlobStore, AzureEmulator?) {
        let directory = TemporaryDirectory()
        let (store, emulator) = try await backend.make(in: directory)
        try await store.createContainerIfMissing("user-1")
        return (directory, store, emulator)
    }

    /// The bytes the store holds for `blob`.
    private func storedBytes(in directory: TemporaryDirectory, _ emulator: AzureEmulator?) throws -> Data? {
        if let emulator { return emulator.blobData(container: blob.container, name: blob.name) }
        return FileManager.default.contents(atPath: directory.appending("blobs/\(blob.container)/\(blob.name)"))
    }

    /// 30,000 bytes go in one put to Azure here, 70,000 in blocks.
    @Test(arguments: Backend.allCases, [30_000, 70_000])
    func aFileHashedWithThePiecesTheStoreAskedForIsStoredAsHashed(backend: Backend, size: Int) async throws {
        let (directory, store, emulator) = try await storeWithContainer(backend)
        defer { _ = emulator }
        let (path, _) = try writeFile(directory, seed: 4, size: size)
        let (content, hash) = try hashedContent(path, for: store)

        #expect(try await store.putIfAbsent(blob, content: content, properties: .init(sha256: hash, tags: [:])) == .created)
        #expect(try await store.properties(of: blob)?.contentLength == Int64(size))
        #expect(try storedBytes(in: directory, emulator) == (try Data(contentsOf: URL(fileURLWithPath: path))))
    }

    /// Kept bytes are the ones hashed: they are stored, whatever the file
    /// became since (the next pass sees the change and takes the file again).
    @Test(arguments: Backend.allCases)
    func bytesKeptWhenHashedAreStoredEvenIfTheFileChangesAfter(backend: Backend) async throws {
        let (directory, store, emulator) = try await storeWithContainer(backend)
        defer { _ = emulator }
        let (path, _) = try writeFile(directory, seed: 7, size: 30_000)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        let (content, hash) = try hashedContent(path, for: store, keeping: true)
        try DropFolderBuilder.imageBytes(seed: 8, size: 30_000).write(to: URL(fileURLWithPath: path))

        #expect(try await store.putIfAbsent(blob, content: content, properties: .init(sha256: hash, tags: [:])) == .created)
        #expect(try storedBytes(in: directory, emulator) == original)
        #expect(try await store.properties(of: blob)?.sha256 == hash)
    }

    @Test(arguments: Backend.allCases, [30_000, 70_000])
    func aFileChangedAfterItsPiecesWereHashedIsNotStored(backend: Backend, size: Int) async throws {
        let (directory, store, emulator) = try await storeWithContainer(backend)
        defer { _ = emulator }
        let (path, _) = try writeFile(directory, seed: 5, size: size)
        let (content, hash) = try hashedContent(path, for: store)
        // Same size, inode and time, other bytes: only the content tells them apart.
        try DropFolderBuilder.overwriteUnseen(path, with: DropFolderBuilder.imageBytes(seed: 6, size: size))

        await #expect {
            _ = try await store.putIfAbsent(blob, content: content, properties: .init(sha256: hash, tags: [:]))
        } throws: { error in
            (error as? BlobStoreError)?.code == .contentChanged && "\(error)".contains("changed while it was being stored")
        }
        #expect(try await store.properties(of: blob) == nil)
        if let emulator {
            // Caught when staging, before anything could be committed: by
            // the service's CRC-64 check of each block, or by the agent's own
            // CRC-64 check of a body it holds in memory until the commit.
            #expect(
                !emulator.requests.contains { $0.path.hasSuffix(blob.name) && $0.status == 201 && $0.comp != "block" }, "nothing was committed")
        }
    }

    @Test(arguments: Backend.allCases)
    func aPutStoresOnceAndKeepsItsHashAndTags(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let (store, emulator) = try await backend.make(in: directory)
        defer { _ = emulator }
        try await store.createContainerIfMissing("user-1")
        try await store.createContainerIfMissing("user-1")
        let (path, hash) = try writeFile(directory, seed: 1)
        let tags = ["picture_uuid": "p", "picture_set_uuid": "s"]

        #expect(try await store.properties(of: blob) == nil)
        let first = try await store.putIfAbsent(blob, content: try await readContent(path, for: store), properties: .init(sha256: hash, tags: tags))
        let second = try await store.putIfAbsent(blob, content: try await readContent(path, for: store), properties: .init(sha256: hash, tags: tags))

        #expect(first == .created)
        #expect(second == .alreadyExists)
        let properties = try #require(try await store.properties(of: blob))
        #expect(properties.sha256 == hash)
        #expect(properties.contentLength == 70_000)
        #expect(properties.tags == tags)

        try await store.setTags(["picture_uuid": "q"], on: blob)
        #expect(try await store.properties(of: blob)?.tags == ["picture_uuid": "q"])
    }

    @Test(arguments: Backend.allCases)
    func aFileThatChangedSinceItWasHashedIsNotStored(backend: Backend) async throws {
        let (directory, store, emulator) = try await storeWithContainer(backend)
        defer { _ = emulator }
        let (path, _) = try writeFile(directory, seed: 1)
        let (_, otherHash) = try writeFile(directory, seed: 2)

        await #expect {
            _ = try await store.putIfAbsent(blob, content: try await readContent(path, for: store), properties: .init(sha256: otherHash, tags: [:]))
        } throws: { error in
            (error as? BlobStoreError)?.code == .contentChanged
        }
        #expect(try await store.properties(of: blob) == nil)
    }

    @Test(arguments: Backend.allCases)
    func smallDocumentsAreStoredFromMemory(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let (store, emulator) = try await backend.make(in: directory)
        defer { _ = emulator }
        try await store.createContainerIfMissing("user-1")
        let marker = BlobReference(container: "user-1", name: "lot-1/lot-1.json")
        let data = Data(#"{"folder_name":"lot-1"}"#.utf8)
        let path = directory.appending("marker")
        try data.write(to: URL(fileURLWithPath: path))
        let digest = try FileContent(path: path).sha256().hash

        #expect(try await store.putIfAbsent(marker, content: FingerprintedContent(data: data), properties: .init(sha256: digest, tags: [:])) == .created)
        #expect(try await store.properties(of: marker)?.contentLength == Int64(data.count))
    }

    @Test func theLocalStoreLeavesOnlyTheBlobInItsFolderAndClearsAbandonedUploads() async throws {
        let directory = TemporaryDirectory()
        let root = directory.appending("blobs")
        let store = try LocalBlobStore(root: root)
        try await store.createContainerIfMissing("user-1")
        let (path, hash) = try writeFile(directory, seed: 3)
        #expect(try await store.putIfAbsent(blob, content: try await readContent(path, for: store), properties: .init(sha256: hash, tags: [:])) == .created)
        let folder = root + "/" + blob.container + "/" + (blob.name as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == [(blob.name as NSString).lastPathComponent])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/.uploads") == [])

        // What a put cut short by a crash two hours ago left, and one under way.
        let abandoned = root + "/.uploads/abandoned"
        let underWay = root + "/.uploads/under-way"
        for staged in [abandoned, underWay] { #expect(FileManager.default.createFile(atPath: staged, contents: Data("x".utf8))) }
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7_200)], ofItemAtPath: abandoned)
        _ = try LocalBlobStore(root: root)

        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/.uploads") == ["under-way"])
    }

    // MARK: - Listing

    /// Puts a small blob named `name` into `user-1`.
    private func put(_ name: String, in store: any BlobStore) async throws {
        let data = Data(name.utf8)
        let scratch = TemporaryDirectory()
        try data.write(to: URL(fileURLWithPath: scratch.appending("bytes")))
        let hash = try FileContent(path: scratch.appending("bytes")).sha256().hash
        let outcome = try await store.putIfAbsent(
            BlobReference(container: "user-1", name: name), content: FingerprintedContent(data: data), properties: .init(sha256: hash, tags: [:]))
        #expect(outcome == .created)
    }

    /// Every blob under the prefix, at every level below it, and nothing
    /// else: not the neighbour folder whose name starts the same, not the
    /// store's own files.
    @Test(arguments: Backend.allCases)
    func aListingHoldsEveryBlobUnderThePrefixAndNothingElse(backend: Backend) async throws {
        let (directory, store, emulator) = try await storeWithContainer(backend)
        defer { _ = (directory, emulator) }
        let inFolder = ["lot-1/lot-1.json", "lot-1/4e1f0000-0000-4000-8000-000000000001", "lot-1/deeper/stray", "lot-1/b"]
        for name in inFolder + ["lot-10/other", "lot-2/x", "top-level"] { try await put(name, in: store) }

        #expect(try await store.blobNames(in: "user-1", prefix: "lot-1/") == inFolder.sorted())
        #expect(try await store.blobNames(in: "user-1", prefix: "lot-1") == (inFolder + ["lot-10/other"]).sorted())
        #expect(try await store.blobNames(in: "user-1", prefix: "lot-1/deeper/") == ["lot-1/deeper/stray"])
        #expect(try await store.blobNames(in: "user-1", prefix: "lot-3/") == [])
        #expect(try await store.blobNames(in: "user-1", prefix: "").count == inFolder.count + 3)
    }

    @Test(arguments: Backend.allCases)
    func aContainerThatDoesNotExistListsNothing(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let (store, emulator) = try await backend.make(in: directory)
        defer { _ = emulator }

        #expect(try await store.blobNames(in: "user-never-created", prefix: "lot-1/") == [])
    }

    /// Azure answers 5,000 names at most per request; the listing follows
    /// `NextMarker` page after page (here three names a page).
    @Test(arguments: Backend.allCases)
    func aListingLongerThanAPageIsReadWhole(backend: Backend) async throws {
        let directory = TemporaryDirectory()
        let (store, emulator) = try await backend.make(in: directory, listPageSize: 3)
        defer { _ = emulator }
        try await store.createContainerIfMissing("user-1")
        let names = (0..<10).map { "lot-1/picture-\($0)" }
        for name in names { try await put(name, in: store) }
        emulator?.clearLog()

        #expect(try await store.blobNames(in: "user-1", prefix: "lot-1/") == names.sorted())
        if let emulator {
            #expect(emulator.requests.filter { $0.comp == "list" }.count == 4, "10 names, 3 a page")
        }
    }

    /// The local store keeps properties and staged puts beside the
    /// containers; a listing never shows them, even of the whole container.
    @Test func theLocalStoresOwnFilesAreNeverListed() async throws {
        let directory = TemporaryDirectory()
        let store = try LocalBlobStore(root: directory.appending("blobs"))
        try await store.createContainerIfMissing("user-1")
        try await put("lot-1/a", in: store)
        #expect(FileManager.default.createFile(atPath: store.root + "/.uploads/under-way", contents: Data("x".utf8)))

        #expect(try await store.blobNames(in: "user-1", prefix: "") == ["lot-1/a"])
        #expect(try await store.blobNames(in: ".properties", prefix: "") == [])
        #expect(try await store.blobNames(in: ".uploads", prefix: "") == [])
    }
}
