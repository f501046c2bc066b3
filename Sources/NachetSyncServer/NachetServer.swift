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
package struct NachetServer: Sendable {
    package let settings: ServerSettings
    package let datastore: ServerDatastore
    let logger: Logger

    /// - Throws: ``ServerSettingsError`` for settings that would expose the
    ///   datastore, or a spool directory that cannot be made.
    package init(settings: ServerSettings, datastore: ServerDatastore, logger: Logger) throws {
        try settings.check()
        self.settings = settings
        self.datastore = datastore
        self.logger = logger
    }

    /// The tokens, when the server asks for them.
    package var tokens: TokenRegistry? {
        if case .tokens(let registry) = settings.access { return registry }
        return nil
    }

    /// The server as a service of a process's lifecycle (``ProcessLifecycle``):
    /// it listens once it runs, and a graceful shutdown lets the requests in
    /// flight finish, closing what is still open after the drain deadline.
    ///
    /// - Throws: ``ServerSettingsError`` for a spool directory or TLS files
    ///   that cannot be used.
    package func makeService() throws -> ServerService {
        // Large upload bodies are spooled through 1 MiB buffers from the first
        // request on: they get mappings of their own, given back when freed,
        // before glibc's moving threshold puts them in arenas that stay resident.
        LargeBuffers.configure()
        let metrics = datastore.metrics
        let spool = try SpoolDirectory(path: settings.spoolDirectory, metrics: metrics)
        let limits = fittedLimits()
        let events = ConnectionEvents(limits: limits, logger: logger)
        let registry = ConnectionRegistry(limits: limits, events: events, metrics: metrics)
        let fleet = FleetLedger(
            store: datastore.fleet, quietAfter: settings.fleetQuietAfter, tokens: tokens, gauges: metrics.fleet, logger: logger)
        let dependencies = RouteDependencies(
            datastore: datastore,
            uploads: UploadReceiver(spool: spool, blobStore: datastore.blobStore),
            maximumContentLength: settings.maximumContentLength,
            jsonBodies: MemoryBudget(bytes: limits.jsonBodyMemory),
            downloads: MemoryBudget(bytes: limits.downloadMemory),
            logger: logger
        )
        let router = Router(context: NachetRequestContext.self)
        router.add(middleware: AccessLogMiddleware(metrics: metrics, fleet: fleet))
        if case .insecureDevelopment = settings.access {
            router.add(middleware: LoopbackGuardMiddleware(allowedOrigins: settings.allowedOrigins))
        }
        if !settings.allowedOrigins.isEmpty { router.add(middleware: CrossOriginMiddleware(allowedOrigins: settings.allowedOrigins)) }
        router.add(middleware: BearerAuthenticationMiddleware(tokens: tokens))
        NachetRoutes.register(on: router, dependencies: dependencies, fleet: fleet)

        let listening = ListeningAnnouncement()
        let tls = try settings.tls.map(Self.tlsContext)
        let serverBuilder = HTTPServerBuilder { responder in
            GuardedHTTPChannel(responder: responder, tls: tls, limits: limits, registry: registry, events: events)
        }
        let application = Application(
            router: router,
            server: serverBuilder,
            configuration: ApplicationConfiguration(address: .hostname(settings.host, port: settings.port), serverName: "nachet-sync"),
            onServerRunning: { channel in listening.announce(channel.localAddress) },
            logger: logger
        )
        return ServerService(
            service: ServerWithFleet(
                server: DrainDeadline(server: application, timeout: limits.drainTimeout, registry: registry, logger: logger), fleet: fleet),
            listening: listening,
            // Past the drain deadline every connection is closed; should a
            // request still hold on (a datastore call that does not return),
            // its task is cancelled a little later.
            stopsWithin: limits.drainTimeout + .seconds(10),
            settings: settings)
    }

    /// Starts listening and returns once the server accepts connections;
    /// ``RunningServer/stop()`` stops it (the tests).
    package func start() async throws -> RunningServer {
        let server = try makeService()
        var configuration = ServiceGroupConfiguration(services: [.init(service: server.service)], logger: logger)
        configuration.maximumGracefulShutdownDuration = server.stopsWithin
        let group = ServiceGroup(configuration: configuration)
        let running = Task { try await group.run() }
        let port = try await server.port(whileRunning: running)
        return RunningServer(group: group, task: running, port: port, scheme: server.scheme)
    }

    /// The limits, with the connection caps lowered to what the process's
    /// descriptor limit allows (said in the log when it lowers them).
    func fittedLimits() -> ServerLimits {
        let descriptors = DescriptorLimit.current.soft
        let fitted = settings.limits.fitting(descriptors: descriptors)
        if fitted.maximumConnections < settings.limits.maximumConnections {
            logger.warning(
                "the descriptor limit (\(descriptors)) leaves room for \(fitted.maximumConnections) connections, fewer than \(NumericSetting.serveMaximumConnections.variable)=\(settings.limits.maximumConnections): raise LimitNOFILE= in the unit (or ulimit -n)",
                metadata: ["descriptors": "\(descriptors)", "connections": "\(fitted.maximumConnections)"])
        }
        return fitted
    }

    /// The TLS context every connection shares, from the PEM files.
    static func tlsContext(_ files: ServerSettings.TLSFiles) throws -> NIOSSLContext {
        let configuration = try tlsConfiguration(files)
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ServerSettingsError(
                "\(files.certificateChain), \(files.privateKey): cannot serve TLS with them (\(ErrorWording.words(for: error))); check that the key is the certificate's"
            )
        }
    }

    /// swift-nio-ssl's configuration for the certificate chain and key files.
    static func tlsConfiguration(_ files: ServerSettings.TLSFiles) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificateChain)
        } catch {
            throw ServerSettingsError(
                "\(files.certificateChain): cannot read the TLS certificate (\(ErrorWording.words(for: error))); give a PEM file")
        }
        do {
            key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        } catch {
            throw ServerSettingsError(
                "\(files.privateKey): cannot read the TLS private key (\(ErrorWording.words(for: error))); give a PEM file, unencrypted")
        }
        guard !chain.isEmpty else { throw ServerSettingsError("\(files.certificateChain) holds no certificate") }
        return TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
    }
}

/// The server as a service (``NachetServer/makeService()``), and where it listens.
package struct ServerService: Sendable {
    /// Runs the server in a service group.
    package let service: any Service
    let listening: ListeningAnnouncement
    /// How long it may take to stop once asked, before it is cancelled.
    package let stopsWithin: Duration
    let settings: ServerSettings

    /// `http` or `https`.
    package var scheme: String { settings.tls == nil ? "http" : "https" }

    /// The port it listens on once it does (the one picked, when asked for
    /// port 0); throws what `group` threw if it ended first (a port in use).
    package func port(whileRunning group: Task<Void, any Error>) async throws -> Int {
        try await listening.wait(orFailureOf: group)?.port ?? settings.port
    }
}

/// A server that listens: where, and how to stop it.
package struct RunningServer: Sendable {
    let group: ServiceGroup
    let task: Task<Void, any Error>
    /// The port it listens on (the one picked, when asked for port 0).
    package let port: Int
    /// `http` or `https`.
    package let scheme: String

    /// Stops accepting connections, lets the requests in flight finish,
    /// and returns once the server is down.
    package func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

}

/// Hands the listening address from Hummingbird's `onServerRunning` to
/// whoever waits for it, or the failure of a server that could not listen
/// (a port in use).
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
