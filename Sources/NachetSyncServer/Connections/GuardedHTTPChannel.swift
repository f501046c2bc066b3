import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import NIOSSL

/// Hummingbird's HTTP/1.1 channel (with TLS when given), behind serve's
/// limits: each accepted connection is first counted by the
/// ``ConnectionRegistry`` (closed at once, before any handler or task is
/// made for it, when over a cap), then its pipeline gets a
/// ``ConnectionPaceHandler`` after the HTTP codec.
struct GuardedHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let responder: HTTPChannelHandler.Responder
    /// The TLS context, shared by every connection; `nil` for plain HTTP.
    let tls: NIOSSLContext?
    let limits: ServerLimits
    let registry: ConnectionRegistry
    let events: ConnectionEvents

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        guard registry.admit(channel) else {
            // Closed by the registry; no task is ever made for it.
            return channel.eventLoop.makeFailedFuture(ConnectionRefused())
        }
        // No idle timeout of Hummingbird's: any byte resets it. The pace
        // handler bounds the time for a head, and the rate of a body.
        let http = HTTP1Channel(
            responder: responder,
            configuration: .init(
                additionalChannelHandlers: [
                    ConnectionPaceHandler(
                        limits: limits, registry: registry, events: events, connection: ObjectIdentifier(channel),
                        remote: channel.remoteAddress?.ipAddress)
                ],
                idleTimeout: nil))
        guard let tls else { return http.setup(channel: channel, logger: logger) }
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls))
        }.flatMap {
            http.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }

    /// A connection over a cap, closed as it was accepted.
    struct ConnectionRefused: Error {}
}
