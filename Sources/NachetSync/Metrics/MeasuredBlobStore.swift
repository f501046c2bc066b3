import CoreMetrics
import Foundation
import NIOCore

/// A blob store whose every call that reaches the store is timed into
/// `nachet_sync_blob_store_seconds` (by operation), whatever its backend.
struct MeasuredBlobStore: BlobStore {
    let store: any BlobStore
    let metrics: AgentMetrics

    var location: String { store.location }

    /// Runs `body`, recording its duration under `operation`, failed or not.
    private func timed<T>(_ operation: String, _ body: () async throws(BlobStoreError) -> T) async throws(BlobStoreError) -> T {
        let start = ContinuousClock.now
        defer { metrics.blobStoreLatency(operation).recordInterval(since: start) }
        return try await body()
    }

    func identity() async throws(BlobStoreError) -> String? { try await store.identity() }

    func createContainerIfMissing(_ container: String) async throws(BlobStoreError) {
        try await timed("create_container") { () async throws(BlobStoreError) in try await store.createContainerIfMissing(container) }
    }

    func stagingPlan(forSize size: Int64) -> StagingPlan { store.stagingPlan(forSize: size) }

    func makeStagingFile(expectedSize: Int64) throws(BlobStoreError) -> StagingFile? { try store.makeStagingFile(expectedSize: expectedSize) }

    /// Staging timed; the commit of what it staged timed too.
    func stage(_ content: FingerprintedContent, for blob: BlobReference) async throws(BlobStoreError) -> StagedBlob {
        let staged = try await timed("stage") { () async throws(BlobStoreError) in try await store.stage(content, for: blob) }
        return staged.wrapping { [self] blob, tags, inner throws(BlobStoreError) in
            try await timed("commit") { () async throws(BlobStoreError) in try await inner.commit(as: blob, tags: tags) }
        }
    }

    func read(_ blob: BlobReference, offset: Int64, length: Int) async throws(BlobStoreError) -> ByteBuffer? {
        try await timed("read") { () async throws(BlobStoreError) in try await store.read(blob, offset: offset, length: length) }
    }

    func properties(of blob: BlobReference) async throws(BlobStoreError) -> BlobProperties? {
        try await timed("properties") { () async throws(BlobStoreError) in try await store.properties(of: blob) }
    }

    func blobNames(in container: String, prefix: String) async throws(BlobStoreError) -> [String] {
        try await timed("list") { () async throws(BlobStoreError) in try await store.blobNames(in: container, prefix: prefix) }
    }

    func setTags(_ tags: [String: String], on blob: BlobReference) async throws(BlobStoreError) {
        try await timed("set_tags") { () async throws(BlobStoreError) in try await store.setTags(tags, on: blob) }
    }

    func url(of blob: BlobReference) -> String { store.url(of: blob) }
}
