import Foundation
import Logging

/// The agent's parts, opened from a configuration: state file, the
/// destination (catalogue and blob store, or Nachet's API), and the engine
/// over them.
package struct Agent: Sendable {
    package let configuration: AgentConfiguration
    package let state: SyncState
    /// The catalogue written to, unless pictures go through the API.
    package let catalogue: (any Catalogue)?
    /// The blob store written to, unless pictures go through the API.
    package let blobStore: (any BlobStore)?
    package let engine: SyncEngine
    /// Whether the catalogue and blob store answer, shared by both.
    package let health: StoreHealth

    /// Where pictures go.
    package var destination: any Destination { engine.destination }

    /// Opens every part; fails with a message naming the part and the fix.
    ///
    /// A state directory other users may enter is made private first when
    /// it is the agent's own, and said once (``StateDirectory/makePrivate(_:)``).
    /// - Parameter metrics: What the engine counts and measures; nothing by
    ///   default (`watch --metrics-listen` serves them).
    package init(configuration: AgentConfiguration, metrics: AgentMetrics = .disabled, logger: Logger) throws {
        self.configuration = configuration
        Self.logPrivacy(of: configuration.stateDirectory, StateDirectory.makePrivate(configuration.stateDirectory), logger: logger)
        // The records of what this address reached last time; the engine
        // makes them those of the destination as it says it is, at its
        // first pass (``SyncEngine/recogniseDestination()``).
        state = try SyncState(directory: configuration.stateDirectory, destination: configuration.destination)
        health = StoreHealth(logger: logger)
        let destination: any Destination
        if let api = configuration.api {
            // Through the API: the datastore's settings are not opened at all.
            (catalogue, blobStore) = (nil, nil)
            destination = try APIDestination(
                endpoint: api, connections: configuration.picturesInFlightAtMost, giveUpAfter: configuration.giveUpAfter,
                health: health, logger: logger)
        } else {
            // The state file's records say what the catalogue must hold: an
            // embedded one emptied or deleted since is refused, not made anew.
            let expected = SQLiteCatalogue.Expected(pictures: try state.storedFileCount(), stateFile: state.path)
            let (catalogue, blobStore) = (
                try configuration.openCatalogue(health: health, expected: expected),
                try configuration.openBlobStore(health: health, logger: logger)
            )
            (self.catalogue, self.blobStore) = (catalogue, blobStore)
            // Each call timed into the metrics.
            destination = DatastoreDestination(catalogue: catalogue, blobStore: blobStore, measuredBy: metrics)
        }
        engine = SyncEngine(
            destination: destination,
            state: state,
            extensions: configuration.extensions,
            parallelUploads: configuration.parallelUploads,
            adaptsPicturesInFlight: configuration.adaptsPicturesInFlight,
            readyMarker: configuration.readyMarker,
            followsSymlinks: configuration.followsSymlinks,
            statusFiles: configuration.writesStatusFiles
                ? StatusFileWriter(followingSymlinks: configuration.followsSymlinks, logger: logger) : nil,
            metrics: metrics,
            logger: logger
        )
    }

    /// Closes everything the agent holds open: the state file, the
    /// catalogue's connection or file, the API's connections. Before a
    /// reload opens the next agent, and when `watch` stops; nothing is
    /// called on it afterwards.
    package func close() async {
        await destination.close()
        state.close()
    }

    private static func logPrivacy(of directory: String, _ tightening: StateDirectory.Tightening?, logger: Logger) {
        switch tightening {
        case .tightened(let mode):
            logger.notice(
                "the state directory was open to other users (mode \(PrivateFiles.octal(mode))); it is now its user's only (mode 0700)",
                metadata: ["state_dir": "\(directory)"])
        case .leftOpen(let mode):
            let message =
                "the state directory may be read by other users (mode \(PrivateFiles.octal(mode))) and is not the agent's own folder "
                + "(another user owns it, it holds other files, or it is shared like /tmp), so its mode is left alone; the files "
                + "the agent creates there are private, but give it a folder of its own (--state-dir) or run `chmod 700 \(directory)`"
            logger.warning("\(message)", metadata: ["state_dir": "\(directory)"])
        case nil:
            break
        }
    }
}
