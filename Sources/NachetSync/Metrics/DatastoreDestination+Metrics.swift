import Foundation

extension DatastoreDestination {
    /// A destination over `catalogue` and `blobStore` whose every call is
    /// timed into `metrics` (`nachet_sync_catalogue_seconds`,
    /// `nachet_sync_blob_store_seconds`): the agent's, and serve's.
    package init(catalogue: any Catalogue, blobStore: any BlobStore, measuredBy metrics: AgentMetrics) {
        self.init(
            catalogue: MeasuredCatalogue(catalogue: catalogue, metrics: metrics),
            blobStore: MeasuredBlobStore(store: blobStore, metrics: metrics))
    }
}
