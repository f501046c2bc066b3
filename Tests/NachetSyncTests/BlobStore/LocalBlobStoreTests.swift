import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// The local blob store's folders and files are its user's only.
@Suite("local blob store")
struct LocalBlobStoreTests {
    @Test func everyFolderIs0700AndEveryFile0600() async throws {
        let directory = TemporaryDirectory()
        let root = directory.appending("blobs")
        let store = try LocalBlobStore(root: root)
        let source = directory.appending("source.png")
        try DropFolderBuilder.imageBytes(seed: 1, size: 70_000).write(to: URL(fileURLWithPath: source))
        let hash = try FileContent(path: source).sha256().hash
        let blob = BlobReference(container: "user-1", name: "lot-1/4e1f0000-0000-4000-8000-000000000001")
        try await store.createContainerIfMissing("user-1")
        #expect(try await store.putIfAbsent(blob, content: try await store.fingerprint(try SourceFile.open(path: source)), properties: .init(sha256: hash, tags: [:])) == .created)
        try await store.setTags(["picture_uuid": "4e1f0000-0000-4000-8000-000000000001"], on: blob)

        let modes = FileModes.everything(under: root)

        #expect(FileModes.of(root) == 0o700)
        #expect(modes.keys.contains(".uploads"))
        #expect(modes.keys.contains(".properties/user-1/lot-1/4e1f0000-0000-4000-8000-000000000001.json"))
        #expect(modes.keys.contains("user-1/lot-1/4e1f0000-0000-4000-8000-000000000001"))
        for (path, mode) in modes {
            #expect(mode == (FileModes.isDirectory(root + "/" + path) ? 0o700 : 0o600), "\(path): \(String(mode, radix: 8))")
        }
    }
}

/// Bytes reach the local store once: a file's are written into its staging
/// file as they are read and hashed, and `serve`'s spooled upload is taken
/// over, not copied.
@Suite("local blob store: staging")
struct LocalBlobStoreStagingTests {
    let blob = BlobReference(container: "user-1", name: "lot-1/4e1f0000-0000-4000-8000-000000000002")

    /// A store with its container, and an image of `size` bytes written at
    /// `name` (relative to the test's directory).
    private func storeAndImage(_ name: String, size: Int) async throws -> (TemporaryDirectory, LocalBlobStore, String, Data) {
        let directory = TemporaryDirectory()
        let store = try LocalBlobStore(root: directory.appending("blobs"))
        try await store.createContainerIfMissing("user-1")
        let path = directory.appending(name)
        let bytes = DropFolderBuilder.imageBytes(seed: UInt64(size), size: size)
        try bytes.write(to: URL(fileURLWithPath: path))
        return (directory, store, path, bytes)
    }

    @Test func aFileIsWrittenIntoTheStagingFileAsItIsReadAndCommittedFromThere() async throws {
        let (directory, store, source, bytes) = try await storeAndImage("source.png", size: 200_000)
        defer { _ = directory }

        let content = try await store.fingerprint(try SourceFile.open(path: source))

        guard case .staged(let staging) = content.bytes else {
            Issue.record("a local store's content is written into its staging file as it is read")
            return
        }
        #expect(content.sha256 == SHA256Digest.hash(bytes))
        try FileManager.default.removeItem(atPath: source)
        let staged = try await store.stage(content, for: blob)
        #expect(FileManager.default.contents(atPath: staging.path) == bytes, "the staging file holds the bytes hashed, without the source")
        #expect(try await staged.commit(as: blob, tags: [:]) == .created)
        #expect(FileManager.default.contents(atPath: store.path(of: blob)) == bytes)
    }

    @Test func aPrivateFileIsTakenOverNotCopied() async throws {
        let (directory, store, spooled, bytes) = try await storeAndImage("blobs/spooled.upload", size: 100_000)
        let file = try SourceFile.open(path: spooled)
        let content = FingerprintedContent(sha256: SHA256Digest.hash(bytes), size: Int64(bytes.count), bytes: .privateFile(file))

        #expect(try await store.putIfAbsent(blob, content: content, properties: .init(sha256: content.sha256, tags: [:])) == .created)

        var spool = stat()
        var stored = stat()
        #expect(stat(spooled, &spool) == 0 && stat(store.path(of: blob), &stored) == 0)
        #expect(spool.st_ino == stored.st_ino, "the blob is the spooled file itself, linked into place, not a copy")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appending("blobs/.uploads")).isEmpty)
    }
}
