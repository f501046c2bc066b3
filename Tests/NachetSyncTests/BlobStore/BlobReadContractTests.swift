import Foundation
import NIOCore
import NachetSync
import NachetSyncTestSupport
import Testing

/// Reading a blob back in pieces, on every blob store.
@Suite("Blob store contract: reading")
struct BlobReadContractTests {
    @Test(arguments: BlobStoreContractTests.Backend.allCases)
    func aBlobIsReadBackPieceByPiece(backend: BlobStoreContractTests.Backend) async throws {
        let directory = TemporaryDirectory()
        let (store, emulator) = try await backend.make(in: directory)
        defer { _ = emulator }
        try await store.createContainerIfMissing("user-1")
        let blob = BlobReference(container: "user-1", name: "lot-1/picture")
        let bytes = DropFolderBuilder.imageBytes(seed: 12, size: 100_000)
        let path = directory.appending("source.png")
        try bytes.write(to: URL(fileURLWithPath: path))
        let hash = try FileContent(path: path).sha256().hash
        _ = try await store.putIfAbsent(blob, content: try await store.fingerprint(try SourceFile.open(path: path)), properties: .init(sha256: hash, tags: [:]))

        var read = Data()
        var offset: Int64 = 0
        while let piece = try await store.read(blob, offset: offset, length: 30_000), piece.readableBytes > 0 {
            read.append(contentsOf: piece.readableBytesView)
            offset += Int64(piece.readableBytes)
        }
        #expect(read == bytes)
        #expect(try await store.read(blob, offset: 99_990, length: 30_000)?.readableBytes == 10)
        #expect(try await store.read(blob, offset: 100_000, length: 10)?.readableBytes == 0)
        #expect(try await store.read(BlobReference(container: "user-1", name: "lot-1/none"), offset: 0, length: 10) == nil)
    }
}
