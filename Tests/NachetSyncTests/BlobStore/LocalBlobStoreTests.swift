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
        #expect(try await store.putIfAbsent(blob, content: .file(try SourceFile.open(path: source)), properties: .init(sha256: hash, tags: [:])) == .created)
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
