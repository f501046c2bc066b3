import NIOCore

/// Counts the connections open (`nachet_sync_serve_connections_open`): one
/// handler in each connection's pipeline, added when it opens and removed
/// when it closes.
final class ConnectionCounter: ChannelInboundHandler, RemovableChannelHandler, Sendable {
    typealias InboundIn = NIOAny

    private let metrics: ServeMetrics

    init(metrics: ServeMetrics) {
        self.metrics = metrics
    }

    func handlerAdded(context: ChannelHandlerContext) {
        metrics.connection(+1)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        metrics.connection(-1)
    }
}
