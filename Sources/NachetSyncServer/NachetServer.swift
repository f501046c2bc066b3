import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import NachetSync
import ServiceLifecycle
import UnixSignals

/// `nachet-sync serve`: Nachet's batch-import routes (`/get-user-id`,
/// `/seeds`, `/new-batch-import`, `/upload-picture`) and the web UI's two
/// read routes (`/get-directories`, `/get-picture`), answered as Nachet's
/// backend answers them, over the catalogue and blob store the agent writes
/// to; plus bearer tokens, ownership checks, idempotent uploads, a raw
/// streaming upload route and `/health`. Lab PCs then hold a revocable
/// token, and only this service holds the datastore's keys.
///
/// **Why Hummingbird 2.** The agent already stands on SwiftNIO and
/// AsyncHTTPClient; Hummingbird is a thin, well-kept server on the same
/// NIO, with structured concurrency throughout: request bodies arrive as an
/// `AsyncSequence` with back-pressure (a 200 MiB upload streams to disk in
/// flat memory), response bodies can be written piece by piece, TLS comes
/// from swift-nio-ssl (HummingbirdTLS), and graceful shutdown from
/// swift-service-lifecycle, which it is built on. Vapor does as much but
/// brings far more (its own ORM ecosystem, templating, a larger build); raw
/// NIO would mean writing a router, body limits and shutdown by hand.
public struct NachetServer: Sendable {
    public let settings: ServerSettings
    public let datastore: ServerDatastore
    let logger: Logger

    /// - Throws: ``ServerSettingsError`` for settings that would expose the
    ///   datastore, or a spool directory that cannot be made.
    public init(settings: ServerSettings, datastore: ServerDatastore, logger: Logger) throws {
        try settings.check()
        self.settings = settings
        self.datastore = datastore
        self.logger = logger
    }

    /// The tokens, when the server asks for them.
    public var tokens: TokenRegistry? {
        if case .tokens(let registry) = settings.access { return registry }
        return nil
    }

    /// Starts listening and returns once the server accepts connections.
    ///
    /// - Parameter stopOnSignals: Whether SIGTERM and SIGINT stop it
    ///   gracefully (the command); tests call ``RunningServer/stop()``.
    public func start(stopOnSignals: Bool = false) async throws -> RunningServer {
        // Large upload bodies are spooled through 1 MiB buffers from the first
        // request on: they get mappings of their own, given back when freed,
        // before glibc's moving threshold puts them in arenas that stay resident.
        LargeBuffers.configure()
        let metrics = datastore.metrics
        let spool = try SpoolDirectory(path: settings.spoolDirectory, metrics: metrics)
        let fleet = FleetLedger(
            store: datastore.fleet, quietAfter: settings.fleetQuietAfter, tokens: tokens, gauges: metrics.fleet, logger: logger)
        await fleet.prepare()
        let dependencies = RouteDependencies(
            datastore: datastore,
            uploads: UploadReceiver(spool: spool, blobStore: datastore.blobStore),
            maximumContentLength: settings.maximumContentLength,
            jsonBodies: AsyncPermits(Self.jsonBodyMemoryMiB),
            logger: logger
        )
        let router = Router(context: NachetRequestContext.self)
        router.add(middleware: AccessLogMiddleware(metrics: metrics, fleet: fleet))
        if !settings.allowedOrigins.isEmpty { router.add(middleware: CrossOriginMiddleware(allowedOrigins: settings.allowedOrigins)) }
        router.add(middleware: BearerAuthenticationMiddleware(tokens: tokens))
        NachetRoutes.register(on: router, dependencies: dependencies, fleet: fleet)

        let listening = ListeningAnnouncement()
        var serverBuilder = HTTPServerBuilder.http1(
            configuration: .init(additionalChannelHandlers: [ConnectionCounter(metrics: metrics)], idleTimeout: .seconds(Self.idleTimeoutSeconds)))
        if let tls = settings.tls { serverBuilder = try .tls(serverBuilder, tlsConfiguration: try Self.tlsConfiguration(tls)) }
        let application = Application(
            router: router,
            server: serverBuilder,
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "nachet-sync"),
            onServerRunning: { channel in listening.announce(channel.localAddress) },
            logger: logger
        )
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                // Stopped in reverse: the HTTP server first, then the fleet
                // writes what its last requests taught it.
                services: [FleetService(ledger: fleet), application],
                gracefulShutdownSignals: stopOnSignals ? [.sigterm, .sigint] : [],
                logger: logger
            )
        )
        let running = Task { try await group.run() }
        let address = try await listening.wait(orFailureOf: running)
        return RunningServer(
            group: group, task: running, port: address?.port ?? settings.port, scheme: settings.tls == nil ? "http" : "https")
    }

    /// The memory JSON upload bodies may hold at once, in MiB (about four
    /// at Nachet's 16 MiB limit).
    static let jsonBodyMemoryMiB = 64

    /// Seconds a connection may stay idle (nothing read or written) before
    /// it is closed.
    static let idleTimeoutSeconds: Int64 = 120

    /// swift-nio-ssl's configuration for the certificate chain and key files.
    static func tlsConfiguration(_ files: ServerSettings.TLSFiles) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain)
        } catch {
            throw ServerSettingsError("\(files.certificateChain): cannot read the TLS certificate (\(error)); give a PEM file")
        }
        do {
            key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        } catch {
            throw ServerSettingsError("\(files.privateKey): cannot read the TLS private key (\(error)); give a PEM file, unencrypted")
        }
        guard !chain.isEmpty else { throw ServerSettingsError("\(files.certificateChain) holds no certificate") }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }
}

/// A server that listens: where, and how to stop it.
public struct RunningServer: Sendable {
    let group: ServiceGroup
    let task: Task<Void, any Error>
    /// The port it listens on (the one picked, when asked for port 0).
    public let port: Int
    /// `http` or `https`.
    public let scheme: String

    /// Stops accepting connections, lets the requests in flight finish,
    /// and returns once the server is down.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// Waits until the server stops (a signal, when it was started with them).
    public func wait() async throws {
        try await task.value
    }
}

/// Hands the listening address from Hummingbird's `onServerRunning` to
/// ``NachetServer/start(stopOnSignals:)``, or the failure of a server that
/// could not listen (a port in use).
final class ListeningAnnouncement: Sendable {
    private let stream: AsyncStream<SocketAddress?>
    private let continuation: AsyncStream<SocketAddress?>.Continuation

    init() {
        (stream, continuation) = AsyncStream.makeStream(of: SocketAddress?.self, bufferingPolicy: .bufferingNewest(1))
    }

    func announce(_ address: SocketAddress?) {
        continuation.yield(address)
        continuation.finish()
    }

    /// The address, once listening; throws what `task` threw if it ended first.
    func wait(orFailureOf task: Task<Void, any Error>) async throws -> SocketAddress? {
        let watcher = Task {
            do {
                try await task.value
                continuation.finish()
            } catch {
                continuation.finish()
            }
        }
        defer { watcher.cancel() }
        for await address in stream { return address }
        try await task.value
        throw ServerSettingsError("the server stopped before it listened")
    }
}
