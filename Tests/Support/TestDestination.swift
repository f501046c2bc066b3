import Foundation
import Logging
import NachetSync
import NachetSyncServer

/// A destination the engine's contract suite runs on: the datastore itself
/// on each pair of backends, or Nachet's API through a real `serve`.
package enum DestinationKind: Sendable, CustomStringConvertible {
    case datastore(Backends)
    /// `serve` on 127.0.0.1 over the embedded datastore, spoken to over HTTP.
    case api

    /// Every destination: the four pairs of backends, then the API.
    package static let all: [DestinationKind] = Backends.all.map(DestinationKind.datastore) + [.api]

    /// The durable writes the engine makes there (``Destination/writeSteps``).
    package var writeSteps: [WriteStep] {
        switch self {
        case .datastore: WriteStep.allCases
        case .api: APIDestination.writeSteps
        }
    }

    package var description: String {
        switch self {
        case .datastore(let backends): "\(backends)"
        case .api: "api"
        }
    }
}

/// A `serve` started in this process over a test's datastore, with a
/// token acting for ``TestDatastore/technician``.
package final class ServedDatastore: Sendable {
    package let running: RunningServer
    /// The bearer token the engine sends.
    package let token: String

    /// `http://127.0.0.1:<port>`.
    package var baseURL: String { "http://127.0.0.1:\(running.port)" }

    /// The state file's name for this destination, as the agent names it.
    package var identity: DestinationIdentity {
        DestinationIdentity(catalogue: "nachet-api:" + baseURL, blobStore: "nachet-api:" + baseURL)
    }

    private init(running: RunningServer, token: String) {
        self.running = running
        self.token = token
    }

    /// Starts a server over the catalogue and blob store of `datastore`.
    static func start(over datastore: TestDatastore) async throws -> ServedDatastore {
        let tokensFile = datastore.directory.appending("tokens")
        let token = try TokensFile.add(name: "lab-pc", users: [TestDatastore.technician], to: tokensFile)
        let settings = ServerSettings(
            host: "127.0.0.1", port: 0, access: .tokens(try TokenRegistry(path: tokensFile)),
            spoolDirectory: datastore.directory.appending("spool"))
        let server = try NachetServer(
            settings: settings, datastore: ServerDatastore(catalogue: datastore.catalogue, blobStore: datastore.blobStore),
            logger: TestDatastore.quietLogger)
        return ServedDatastore(running: try await server.start(), token: token)
    }

    /// A new API destination, as a newly started agent makes one.
    package func destination(logger: Logger) -> any Destination {
        do {
            return try APIDestination(endpoint: try APIEndpoint(url: baseURL, token: token), logger: logger)
        } catch {
            preconditionFailure("the test server's URL is refused: \(error)")
        }
    }

    deinit {
        let running = running
        Task { try? await running.stop() }
    }
}
