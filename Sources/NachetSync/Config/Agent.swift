import Foundation
import Logging

/// The agent's parts, opened from a configuration: state file, catalogue,
/// blob store, and the engine over them.
public struct Agent: Sendable {
    public let configuration: AgentConfiguration
    public let state: SyncState
    public let catalogue: any Catalogue
    public let blobStore: any BlobStore
    public let engine: SyncEngine

    /// Opens every part; fails with a message naming the part and the fix.
    public init(configuration: AgentConfiguration, logger: Logger) throws {
        self.configuration = configuration
        state = try SyncState(directory: configuration.stateDirectory)
        catalogue = try configuration.openCatalogue()
        blobStore = try configuration.openBlobStore(logger: logger)
        engine = SyncEngine(
            catalogue: catalogue,
            blobStore: blobStore,
            state: state,
            extensions: configuration.extensions,
            parallelUploads: configuration.parallelUploads,
            readyMarker: configuration.readyMarker,
            followsSymlinks: configuration.followsSymlinks,
            statusFiles: configuration.writesStatusFiles
                ? StatusFileWriter(followingSymlinks: configuration.followsSymlinks, logger: logger) : nil,
            logger: logger
        )
    }

    /// Closes the catalogue's connection, if it holds one (before a reload).
    public func close() async {
        if let postgres = catalogue as? PostgresCatalogue { await postgres.close() }
    }
}
