import NIOCore
import NIOPosix
import Synchronization

/// A TCP proxy on 127.0.0.1 that holds every chunk of bytes back for half a
/// round trip in each direction, so whatever talks through it (libpq to
/// PostgreSQL, HTTP to the Azure emulator) sees a datastore `roundTrip` away,
/// as a lab PC sees one in a cloud region.
///
/// Order is kept: each direction's chunks are sent in the order they came,
/// each `roundTrip / 2` after it arrived, and a side's close reaches the
/// other side after the bytes sent before it. Bandwidth is not limited, but
/// memory is: each direction of a connection stops reading from its sender
/// while it holds ``heldBytesLimit`` bytes (waiting out the delay, or not yet
/// taken by a slow receiver), as a TCP window would, so a 1 GiB transfer to
/// a slow receiver does not pile up in the proxy.
package final class DelayingProxy: Sendable {
    /// The port clients connect to.
    package let port: Int
    /// The added round-trip time.
    package let roundTrip: Duration
    /// The most one direction of one connection holds before it pauses
    /// reading (a window of 8 MiB: up to 800 MiB/s at 20 ms).
    package static let heldBytesLimit = 8 << 20
    private let channel: any Channel
    private let meter: HeldBytesMeter

    /// Starts a proxy on a free port of 127.0.0.1 to `targetPort` on
    /// `targetHost`, adding `roundTrip` to every exchange.
    package static func start(to targetPort: Int, on targetHost: String = "127.0.0.1", roundTrip: Duration) async throws -> DelayingProxy {
        let oneWay = TimeAmount(roundTrip / 2)
        let meter = HeldBytesMeter()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            // Reads are asked for by the forwarders, only when they have room.
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                ClientBootstrap(group: inbound.eventLoop)
                    .channelOption(.autoRead, value: false)
                    .connect(host: targetHost, port: targetPort)
                    .flatMapThrowing { outbound in
                        // Both channels are on the inbound channel's event loop.
                        let toTarget = DelayedForwarder(peer: outbound, delay: oneWay, limit: heldBytesLimit, meter: meter)
                        let toClient = DelayedForwarder(peer: inbound, delay: oneWay, limit: heldBytesLimit, meter: meter)
                        try inbound.pipeline.syncOperations.addHandler(toTarget)
                        try outbound.pipeline.syncOperations.addHandler(toClient)
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return DelayingProxy(channel: channel, roundTrip: roundTrip, meter: meter)
    }

    private init(channel: any Channel, roundTrip: Duration, meter: HeldBytesMeter) {
        self.channel = channel
        self.roundTrip = roundTrip
        self.meter = meter
        port = channel.localAddress?.port ?? 0
    }

    /// The most bytes one direction of one connection has held at once so
    /// far: at most ``heldBytesLimit`` plus one read's worth.
    package var peakHeldBytes: Int { meter.peak }

    /// Stops accepting connections (those open go on until either side closes).
    package func stop() async {
        try? await channel.close()
    }
}

/// The high-water mark of the bytes a proxy's forwarders hold.
final class HeldBytesMeter: Sendable {
    private let highest = Mutex(0)

    /// Notes that one forwarder holds `bytes` now.
    func note(_ bytes: Int) {
        highest.withLock { $0 = max($0, bytes) }
    }

    var peak: Int { highest.withLock { $0 } }
}
