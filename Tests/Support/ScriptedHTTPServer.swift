import NIOCore
import NIOPosix
import Synchronization

/// A broken or hostile HTTP server on 127.0.0.1, for tests of a client: it
/// reads each request's head, records it, and answers whatever its script
/// says, valid HTTP or not: nothing at all, headers then silence, garbage,
/// an error page echoing the request's headers, a redirection.
package final class ScriptedHTTPServer: Sendable {
    /// What the server sends once it has a request's head.
    package enum Reply: Sendable {
        /// Nothing: the connection stays open and silent.
        case nothing
        /// Nothing, and nothing more of the request is read: a client
        /// sending a body finds the connection full once the kernel's
        /// buffers are.
        case stopReading
        /// These bytes; then the connection is closed, or left open and silent.
        case bytes([UInt8], thenClose: Bool)

        /// A complete HTTP/1.1 response, the connection closed after it.
        package static func response(status: String, headers: [(String, String)] = [], body: String = "") -> Reply {
            var head = "HTTP/1.1 \(status)\r\n"
            for (name, value) in headers { head += "\(name): \(value)\r\n" }
            head += "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            return .bytes(Array((head + body).utf8), thenClose: true)
        }

        /// A status line and headers announcing a body that never comes.
        package static let headersThenSilence = Reply.bytes(
            Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{\"st".utf8), thenClose: false)
    }

    /// The port it listens on.
    package let port: Int
    private let channel: any Channel
    private let received: RequestLog

    /// Starts a server on a free port of 127.0.0.1 answering each request
    /// head (its text, request line and headers) with `reply(head)`.
    package static func start(_ reply: @escaping @Sendable (String) -> Reply) async throws -> ScriptedHTTPServer {
        let received = RequestLog()
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ScriptedReplyHandler(reply: reply, received: received))
                }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
        return ScriptedHTTPServer(channel: channel, received: received)
    }

    private init(channel: any Channel, received: RequestLog) {
        self.channel = channel
        self.received = received
        port = channel.localAddress?.port ?? 0
    }

    /// Its base URL.
    package var url: String { "http://127.0.0.1:\(port)" }

    /// The heads of every request received so far, in order.
    package var requests: [String] { received.exchanges.map(\.head) }

    /// Every request received so far, in order: its head, when it arrived,
    /// and when the client closed its connection (if it did).
    package var exchanges: [Exchange] { received.exchanges }

    /// One request and its connection.
    package struct Exchange: Sendable {
        package var head: String
        package var arrivedAt: ContinuousClock.Instant
        package var closedAt: ContinuousClock.Instant?

        /// From the request's arrival to its connection's end, if it ended.
        package var seconds: Double? {
            closedAt.map { ($0 - arrivedAt) / .seconds(1) }
        }
    }

    /// Stops accepting connections.
    package func stop() async {
        try? await channel.close()
    }
}

/// The requests one server received.
private final class RequestLog: Sendable {
    private let recorded = Mutex<[ScriptedHTTPServer.Exchange]>([])

    var exchanges: [ScriptedHTTPServer.Exchange] { recorded.withLock { $0 } }

    /// Records a request arrived now; returns its place, for ``closed(_:)``.
    func append(_ head: String) -> Int {
        recorded.withLock { exchanges in
            exchanges.append(ScriptedHTTPServer.Exchange(head: head, arrivedAt: .now))
            return exchanges.count - 1
        }
    }

    /// Records that the connection of the request at `index` ended now.
    func closed(_ index: Int) {
        recorded.withLock { $0[index].closedAt = .now }
    }
}

/// Gathers a request's head, then sends the script's reply; what follows
/// the head (a body) is read and dropped.
private final class ScriptedReplyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let reply: @Sendable (String) -> ScriptedHTTPServer.Reply
    private let received: RequestLog
    private var head: [UInt8] = []
    private var answered = false
    /// The request's place in the log, once its head arrived.
    private var index: Int?

    init(reply: @escaping @Sendable (String) -> ScriptedHTTPServer.Reply, received: RequestLog) {
        self.reply = reply
        self.received = received
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        head += Self.unwrapInboundIn(data).readableBytesView
        guard let end = head.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
        answered = true
        let text = String(decoding: head[..<end.lowerBound], as: UTF8.self)
        index = received.append(text)
        switch reply(text) {
        case .nothing:
            break
        case .stopReading:
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        case .bytes(let bytes, let thenClose):
            let written = context.writeAndFlush(Self.wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)))
            if thenClose {
                let channel = context.channel
                written.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let index { received.closed(index) }
        context.fireChannelInactive()
    }
}
