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
        switch configuration.blobStore {
        case .directory(let path):
            blobStore = try LocalBlobStore(root: path)
        case .azure:
            throw ConfigurationError(
                "\(configuration.blobStore) was asked for (--blob-store or NACHET_STORAGE_URL), but this build has only the local blob folder; unset NACHET_STORAGE_URL or pass --blob-store PATH"
            )
        }
        engine = SyncEngine(
            catalogue: catalogue,
            blobStore: blobStore,
            state: state,
            extensions: configuration.extensions,
            logger: logger
        )
    }
}
