import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Prometheus

/// A tiny HTTP listener for Prometheus: `GET /metrics` answers the
/// registry's text exposition; any other path is 404, any other method 405.
/// One route needs no web framework: SwiftNIO's HTTP/1 pipeline is enough,
/// and it stays out of the engine library.
final class MetricsEndpoint: Sendable {
    private let channel: any Channel
    /// Where it listens (the real port when 0 was asked).
    let address: MetricsListenAddress

    private init(channel: any Channel, address: MetricsListenAddress) {
        self.channel = channel
        self.address = address
    }

    /// Starts serving `registry` at `address`.
    /// - Throws: A message naming the address and the fix when it cannot listen there.
    static func start(at address: MetricsListenAddress, registry: PrometheusCollectorRegistry) async throws -> MetricsEndpoint {
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 16)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(MetricsRequestHandler(registry: registry))
                    }
                }
                .bind(host: address.host, port: address.port)
                .get()
            var bound = address
            bound.port = channel.localAddress?.port ?? address.port
            return MetricsEndpoint(channel: channel, address: bound)
        } catch {
            throw MetricsEndpointError(
                "cannot serve metrics at \(address) (\((error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)")); choose a free port and an address of this PC with --metrics-listen or NACHET_SYNC_METRICS_LISTEN"
            )
        }
    }

    /// Stops listening.
    func stop() async {
        try? await channel.close()
    }
}

/// The metrics endpoint could not start.
struct MetricsEndpointError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Answers one connection's requests.
private final class MetricsRequestHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let registry: PrometheusCollectorRegistry

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .head(let head) = unwrapInboundIn(data) else { return }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        let (status, body): (HTTPResponseStatus, [UInt8])
        switch (head.method, path) {
        case (.GET, "/metrics"), (.HEAD, "/metrics"):
            (status, body) = (.ok, registry.emitToBuffer())
        case (_, "/metrics"):
            (status, body) = (.methodNotAllowed, Array("only GET /metrics\n".utf8))
        default:
            (status, body) = (.notFound, Array("nachet-sync serves its metrics at /metrics\n".utf8))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: status == .ok ? "text/plain; version=0.0.4; charset=utf-8" : "text/plain; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: head.isKeepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: body)))), promise: nil)
        }
        let keepAlive = head.isKeepAlive
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { bound.value.close(promise: nil) }
        }
    }
}
