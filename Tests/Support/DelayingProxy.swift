import NIOCore
import NIOPosix

/// A TCP proxy on 127.0.0.1 that holds every chunk of bytes back for half a
/// round trip in each direction, so whatever talks through it (libpq to
/// PostgreSQL, HTTP to the Azure emulator) sees a datastore `roundTrip` away,
/// as a lab PC sees one in a cloud region.
///
/// Order is kept: each direction's chunks are sent in the order they came,
/// each `roundTrip / 2` after it arrived. Bandwidth is not limited.
public final class DelayingProxy: Sendable {
    /// The port clients connect to.
    public let port: Int
    /// The added round-trip time.
    public let roundTrip: Duration
    private let channel: any Channel

    /// Starts a proxy to `targetPort` on 127.0.0.1, adding `roundTrip` to
    /// every exchange.
    public static func start(to targetPort: Int, roundTrip: Duration) async throws -> DelayingProxy {
        let oneWay = TimeAmount.nanoseconds(Int64(roundTrip.components.seconds) * 1_000_000_000 + roundTrip.components.attoseconds / 2_000_000_000)
        return try await withUnsafeThrowingContinuation { continuation in
            ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { inbound in
                    ClientBootstrap(group: inbound.eventLoop)
                        .connect(host: "127.0.0.1", port: targetPort)
                        .flatMap { outbound in
                            let toTarget = DelayedForwarder(peer: outbound, delay: oneWay)
                            let toClient = DelayedForwarder(peer: inbound, delay: oneWay)
                            return inbound.pipeline.addHandler(toTarget).flatMap { outbound.pipeline.addHandler(toClient) }
                        }
                }
                .bind(host: "127.0.0.1", port: 0)
                .whenComplete { result in
                    switch result {
                    case .success(let channel):
                        continuation.resume(returning: DelayingProxy(channel: channel, roundTrip: roundTrip))
                    case .failure(let error):
                        continuation.resume(throwing: error)
                    }
                }
        }
    }

    private init(channel: any Channel, roundTrip: Duration) {
        self.channel = channel
        self.roundTrip = roundTrip
        port = channel.localAddress?.port ?? 0
    }

    /// Stops accepting connections.
    public func stop() async {
        try? await channel.close()
    }
}

/// Sends what one side of a proxied connection reads to the other side,
/// `delay` later, and closes the other side when this one closes.
private final class DelayedForwarder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let peer: any Channel
    private let delay: TimeAmount

    init(peer: any Channel, delay: TimeAmount) {
        self.peer = peer
        self.delay = delay
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        let peer = self.peer
        context.eventLoop.scheduleTask(in: delay) {
            peer.writeAndFlush(bytes, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        let peer = self.peer
        context.eventLoop.scheduleTask(in: delay) { peer.close(promise: nil) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
