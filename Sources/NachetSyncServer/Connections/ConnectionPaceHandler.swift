import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Holds one connection's client to the server's pace, as nginx's
/// `client_header_timeout`, `keepalive_timeout` and Apache's
/// `mod_reqtimeout` `MinRate` do:
///
/// - a new connection must send a whole request head within
///   ``ServerLimits/headerTimeout`` (TLS handshake included), a kept-alive
///   one its next within ``ServerLimits/keepAliveTimeout`` of the previous
///   answer; else it is closed (there is no request to answer);
/// - a request body must arrive, and an answer be taken, at
///   ``ServerLimits/minimumRate`` on average over
///   ``ServerLimits/rateWindow`` of the server waiting for the client
///   (``TransferPace``): a body too slow fails with ``SlowClientError``,
///   which the route answers with 408, then the connection is closed; an
///   answer too slow cannot be answered, so the connection is closed.
///
/// It also tells the ``ConnectionRegistry`` whether the connection waits
/// for a request (and may make room for a new one) or is busy.
///
/// Sits after the HTTP codec, so it sees request and response parts; it
/// replaces Hummingbird's idle timeout, which any byte resets.
final class ConnectionPaceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let limits: ServerLimits
    private let registry: ConnectionRegistry
    private let events: ConnectionEvents
    private let connection: ObjectIdentifier
    private let remote: String?

    /// When the connection must have sent its next request head; `nil`
    /// while a request is in flight.
    private var headDeadline: ContinuousClock.Instant?
    /// Whether it has sent a request head yet.
    private var sawRequest = false
    /// Requests whose head arrived and whose answer is not finished.
    private var requestsInFlight = 0
    /// Whether a request body is arriving (head read, end not yet).
    private var bodyArriving = false
    /// The pace of the request body arriving, when there is a minimum rate.
    private var upload: TransferPace?
    /// The pace of the answer being taken, when there is a minimum rate.
    private var download: TransferPace?
    /// The path of the request in flight, for the log.
    private var route: String?
    /// Once a limit is broken: the connection closes once the answer is
    /// written, or at this time at the latest.
    private var closeDeadline: ContinuousClock.Instant?
    private var tick: Scheduled<Void>?

    init(
        limits: ServerLimits, registry: ConnectionRegistry, events: ConnectionEvents, connection: ObjectIdentifier, remote: String?
    ) {
        self.limits = limits
        self.registry = registry
        self.events = events
        self.connection = connection
        self.remote = remote
    }

    // MARK: - Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stopTicking()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stopTicking()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard tick == nil else { return }
        headDeadline = .now + limits.headerTimeout
        scheduleTick(context)
    }

    // MARK: - Requests

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = ContinuousClock.now
        switch unwrapInboundIn(data) {
        case .head(let head):
            sawRequest = true
            requestsInFlight += 1
            bodyArriving = true
            route = head.path
            headDeadline = nil
            registry.setWaiting(connection, since: nil)
            if limits.minimumRate > 0 { upload = TransferPace(minimumRate: limits.minimumRate, window: limits.rateWindow) }
        case .body(let bytes):
            upload?.waiting(false, at: now)
            upload?.moved(bytes.readableBytes)
        case .end:
            bodyArriving = false
            upload = nil
            awaitNextRequestIfIdle(now)
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        // The server asks for more: from now on, it waits for the client.
        upload?.waiting(true, at: .now)
        context.read()
    }

    // MARK: - Answers

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let now = ContinuousClock.now
        switch unwrapOutboundIn(data) {
        case .head(let head) where head.status.kind != .informational:
            if limits.minimumRate > 0 {
                download = TransferPace(minimumRate: limits.minimumRate, window: limits.rateWindow)
                download?.waiting(!context.channel.isWritable, at: now)
            }
            context.write(data, promise: promise)
        case .body(let bytes) where download != nil && bytes.readableBytes > 0:
            // Counted once in the socket: the client has taken them.
            let count = bytes.readableBytes
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.assumeIsolated().whenSuccess { [self] in download?.moved(count) }
            if let promise { written.futureResult.cascade(to: promise) }
            context.write(data, promise: written)
        case .end:
            download = nil
            requestsInFlight = max(0, requestsInFlight - 1)
            if closeDeadline != nil, requestsInFlight == 0 {
                context.writeAndFlush(data, promise: promise)
                context.close(promise: nil)
                return
            }
            awaitNextRequestIfIdle(now)
            context.write(data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        // Not writable: the client does not take the answer as fast as it comes.
        download?.waiting(!context.channel.isWritable, at: .now)
        context.fireChannelWritabilityChanged()
    }

    /// Once no request is in flight: the next head must come within the
    /// keep-alive time, and the connection may make room for a new one.
    private func awaitNextRequestIfIdle(_ now: ContinuousClock.Instant) {
        guard requestsInFlight == 0, !bodyArriving, headDeadline == nil else { return }
        headDeadline = now + limits.keepAliveTimeout
        registry.setWaiting(connection, since: now)
    }

    // MARK: - The clock

    /// How often the deadlines and paces are checked: often enough that a
    /// limit acts within a quarter of itself, at most once a second.
    private var tickInterval: Duration {
        max(.milliseconds(20), min(.seconds(1), limits.headerTimeout / 4, limits.rateWindow / 4))
    }

    private func scheduleTick(_ context: ChannelHandlerContext) {
        let interval = tickInterval
        tick = context.eventLoop.assumeIsolated().scheduleTask(in: .nanoseconds(Int64(interval / .nanoseconds(1)))) { [self] in
            check(context)
            if context.channel.isActive { scheduleTick(context) }
        }
    }

    private func stopTicking() {
        tick?.cancel()
        tick = nil
    }

    private func check(_ context: ChannelHandlerContext) {
        let now = ContinuousClock.now
        if let closeDeadline, now >= closeDeadline {
            context.close(promise: nil)
            return
        }
        if let headDeadline, now >= headDeadline {
            // A kept-alive connection that stays quiet is closed as usual:
            // only one that never sent a request is worth a line.
            if !sawRequest { events.record(.headerTimedOut, remote: remote) }
            context.close(promise: nil)
            return
        }
        if let rate = upload?.check(at: now) {
            upload = nil
            events.record(.bodyTooSlow(rate: rate), remote: remote, route: route)
            // The route reading the body gets the error and answers 408;
            // the connection closes once that answer is written.
            closeDeadline = now + max(.seconds(5), limits.rateWindow)
            context.fireErrorCaught(SlowClientError(rate: rate, limits: limits))
        }
        if let rate = download?.check(at: now) {
            download = nil
            events.record(.answerTooSlow(rate: rate), remote: remote, route: route)
            context.close(promise: nil)
        }
    }
}
