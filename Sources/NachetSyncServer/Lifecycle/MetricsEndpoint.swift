import Hummingbird
import Logging
import NIOCore
import Prometheus
import ServiceLifecycle

/// Prometheus's `GET /metrics` for `watch` and `serve`: the registry's text
/// exposition, on an address of its own (`--metrics-listen`), served by
/// Hummingbird as a service of the process's lifecycle (``ProcessLifecycle``).
/// Any other path is 404.
package struct MetricsEndpoint: Sendable {
    /// The address asked for.
    package let address: MetricsListenAddress
    /// What serves it: runs in the process's service group.
    package let service: any Service
    private let listening: ListeningAnnouncement

    /// An endpoint serving `registry` at `address`, once its ``service`` runs.
    package init(at address: MetricsListenAddress, registry: PrometheusCollectorRegistry, logger: Logger) {
        let router = Router()
        let exposition: @Sendable (Request, BasicRequestContext) async throws -> Response = { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
        router.get("/metrics", use: exposition)
        router.head("/metrics", use: exposition)
        let listening = ListeningAnnouncement()
        var quiet = logger
        quiet.logLevel = max(logger.logLevel, .warning)
        self.address = address
        self.listening = listening
        service = Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), serverName: "nachet-sync"),
            onServerRunning: { channel in listening.announce(channel.localAddress) },
            logger: quiet
        )
    }

    /// The address it listens on, once it does (the port picked, when 0 was
    /// asked); throws what `group` threw if it ended first (a port in use).
    package func boundAddress(whileRunning group: Task<Void, any Error>) async throws -> MetricsListenAddress {
        var bound = address
        bound.port = try await listening.wait(orFailureOf: group)?.port ?? address.port
        return bound
    }
}
