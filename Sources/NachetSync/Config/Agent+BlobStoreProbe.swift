import Foundation

extension Agent {
    /// The blob that ``checkBlobStore()`` asks for: in a container the agent
    /// never creates, so the answer is always "no such blob".
    static let probe = BlobReference(container: "nachet-sync-probe", name: "probe")

    /// Whether the blob store answers and accepts the credentials, with one
    /// read of a blob that does not exist (retried like every request, up
    /// to the give-up time).
    ///
    /// Commands that only read the catalogue (`seeds`) call it, so that a
    /// wrong blob store is said at once rather than at the first upload.
    /// - Throws: ``BlobStoreError`` naming the store and the fix: it cannot
    ///   be reached, or it refused the credentials.
    /// Through Nachet's API there is no blob store of the agent's: nothing is asked.
    package func checkBlobStore() async throws(BlobStoreError) {
        guard let blobStore else { return }
        _ = try await blobStore.properties(of: Self.probe)
    }
}
