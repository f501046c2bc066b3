import Foundation
import NachetSync
import Synchronization

/// The datastore behind the routes: the catalogue and blob store the agent
/// writes to, opened from the same configuration, and the one way pictures
/// are stored (``DatastoreDestination``), shared by every request so the
/// sets asked for and the rows of pictures uploaded at about the same time,
/// by one client or many, go to the catalogue in batches; and serve's fleet
/// tables in the catalogue's database.
package final class ServerDatastore: Sendable {
    package let catalogue: any Catalogue
    package let blobStore: any BlobStore
    /// serve's fleet tables; `nil`: the fleet page is off.
    let fleet: (any FleetStore)?
    /// What serve measures, the datastore calls' durations among them.
    let metrics: ServeMetrics
    /// Stores pictures exactly as the agent does: same rows, blobs, tags,
    /// marker, `number_of_images`, each picture once per set by its SHA-256.
    let destination: DatastoreDestination
    /// Users and seeds, cached as the engine caches them (seeds read again
    /// when a request names one unknown).
    let directory: DestinationDirectory
    /// Sets whose blob folder (container and marker) this process made sure
    /// of, so an upload does not ask the blob store again.
    private let preparedFolders = Mutex<Set<UUID>>([])
    /// Picture sets looked up, by id: a set's owner and name never change,
    /// so each upload of a batch need not ask the catalogue again.
    private let knownSets = Mutex<[UUID: PictureSetRecord]>([:])

    /// - Parameters:
    ///   - fleet: serve's fleet tables (``AgentConfiguration/openFleetStore()``).
    ///   - metrics: What serve measures; the datastore's calls are timed into it.
    package init(catalogue: any Catalogue, blobStore: any BlobStore, fleet: (any FleetStore)? = nil, metrics: ServeMetrics = ServeMetrics()) {
        self.catalogue = catalogue
        self.blobStore = blobStore
        self.fleet = fleet
        self.metrics = metrics
        destination = DatastoreDestination(catalogue: catalogue, blobStore: blobStore, measuredBy: metrics.datastore)
        directory = DestinationDirectory(destination: destination)
    }

    /// Closes the catalogue and the fleet's connection (the server stopped).
    package func close() async {
        await fleet?.close()
        await catalogue.close()
    }

    /// The picture set with `id`, or `nil`: read with the sets other
    /// requests ask for at the same time, in one statement.
    func pictureSet(id: UUID) async throws -> PictureSetRecord? {
        if let known = knownSets.withLock({ $0[id] }) { return known }
        let set = try await destination.pictureSet(id: id)
        if let set { knownSets.withLock { $0[id] = set } }
        return set
    }

    /// Makes the set's blob folder (the owner's container and the marker
    /// `<folder>/<folder>.json`) unless this process did already.
    func prepareFolder(of set: PictureSetRecord) async throws {
        if preparedFolders.withLock({ $0.contains(set.id) }) { return }
        try await destination.prepareFolder(of: set)
        preparedFolders.withLock { _ = $0.insert(set.id) }
    }
}
