import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A loopback Azure Blob Storage emulator for the tests: path-style URLs
/// (`http://127.0.0.1:<port>/devstoreaccount1/<container>/<blob>`), real
/// Shared Key and SAS checks, committed and staged blocks kept apart, and
/// faults the tests switch on. Microsoft's Python SDK checks that it answers
/// as Azure does (`Tests/AzureFidelity`).
package final class AzureEmulator: Sendable {
    /// The development storage account and its well-known public key.
    package static let accountName = "devstoreaccount1"
    package static let accountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

    /// One request, as the tests read the log.
    package struct LoggedRequest: Sendable {
        package var method: String
        /// The path, decoded: `/account/container/blob`.
        package var path: String
        /// `comp`, when the request had one (`block`, `blocklist`, `tags`).
        package var comp: String?
        package var status: Int
    }

    /// Faults to inject.
    package struct Faults: Sendable {
        /// Answer the next N requests with 503 ServerBusy.
        package var failNext = 0
        /// Answer this fraction of requests (0…1) with 503 ServerBusy.
        package var failureRate = 0.0
        /// Close the connection halfway through the body of the next N requests that have one.
        package var dropNextBodies = 0
        /// Close the connection halfway through this fraction of request bodies.
        package var dropRate = 0.0
        /// Wait this long before each response.
        package var delay: Duration = .zero
        /// Flip a byte of the next N blobs committed, after their checksum
        /// was checked: silent corruption at rest that only a read-back finds.
        package var corruptNextCommits = 0

        package init() {}
    }

    struct State {
        var service: EmulatorService
        var faults = Faults()
        var log: [LoggedRequest] = []
        var droppedConnections = 0
    }

    let state: Mutex<State>
    private let channel: any Channel
    /// The port it listens on, on 127.0.0.1.
    package let port: Int

    /// A URL for `container` with a service SAS good for a day (read, add,
    /// create, write, delete, list), as a peer tool such as rclone takes it.
    /// - Parameter port: Where the client is to connect, when not to the
    ///   emulator itself (a ``DelayingProxy`` in front of it); signatures
    ///   do not cover the port.
    package func containerSASURL(_ container: String, permissions: String = "racwdl", port: Int? = nil) -> String {
        let expiry = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
        let authentication = EmulatorAuthentication(account: Self.accountName, key: Data(base64Encoded: Self.accountKey)!)
        return "\(endpoint(port: port))/\(container)?"
            + authentication.containerSAS(container: container, permissions: permissions, expiry: expiry)
    }

    /// The blob endpoint: `http://127.0.0.1:<port>/devstoreaccount1`.
    package var endpoint: String { endpoint(port: nil) }

    /// A connection string with the account key, for the agent.
    package var connectionString: String { connectionString(port: nil) }

    /// The blob endpoint as reached through `port` (the emulator's own when `nil`).
    package func endpoint(port: Int?) -> String { "http://127.0.0.1:\(port ?? self.port)/\(Self.accountName)" }

    /// A connection string with the account key, for an agent reaching the
    /// emulator through `port` (the emulator's own when `nil`).
    package func connectionString(port: Int?) -> String {
        "DefaultEndpointsProtocol=http;AccountName=\(Self.accountName);AccountKey=\(Self.accountKey);BlobEndpoint=\(endpoint(port: port));"
    }

    private init(channel: any Channel, state: State) {
        self.channel = channel
        self.state = Mutex(state)
        port = channel.localAddress?.port ?? 0
    }

    /// Starts an emulator on a free loopback port, or on `port` (a test of
    /// a service that comes back where it was).
    package static func start(port: Int = 0) async throws -> AzureEmulator {
        let box = StateBox(
            State(
                service: EmulatorService(
                    authentication: EmulatorAuthentication(account: accountName, key: Data(base64Encoded: accountKey)!)))
        )
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(EmulatorHandler(box: box))
                }
            }
            .bind(host: "127.0.0.1", port: port)
            .get()
        let emulator = AzureEmulator(channel: channel, state: box.take())
        box.emulator = emulator
        return emulator
    }

    /// Stops listening.
    package func stop() async {
        try? await channel.close()
    }

    /// Changes the faults injected from now on.
    package func setFaults(_ change: (inout Faults) -> Void) {
        state.withLock { change(&$0.faults) }
    }

    /// Every request received so far.
    package var requests: [LoggedRequest] { state.withLock { $0.log } }

    /// How many connections were cut in the middle of a request body.
    package var droppedConnections: Int { state.withLock { $0.droppedConnections } }

    /// Forgets the request log.
    package func clearLog() {
        state.withLock { $0.log.removeAll() }
    }

    /// The committed blob's bytes, or `nil`.
    package func blobData(container: String, name: String) -> Data? {
        state.withLock { $0.service.storage.containers[container]?.blobs[name]?.data }
    }

    /// Deletes a committed blob, as another client would.
    package func removeBlob(container: String, name: String) {
        _ = state.withLock { $0.service.storage.containers[container]?.blobs.removeValue(forKey: name) }
    }

    /// The committed blobs' names of `container`.
    package func blobNames(container: String) -> [String] {
        state.withLock { ($0.service.storage.containers[container]?.blobs.keys).map(Array.init)?.sorted() ?? [] }
    }

    /// Every container's name.
    package var containerNames: [String] { state.withLock { $0.service.storage.containers.keys.sorted() } }

    /// Metadata of a committed blob.
    package func blobMetadata(container: String, name: String) -> [String: String]? {
        state.withLock { $0.service.storage.containers[container]?.blobs[name]?.metadata }
    }

    /// Blocks staged and not committed for a blob name.
    package func stagedBlockCount(container: String, name: String) -> Int {
        state.withLock { $0.service.storage.containers[container]?.uncommitted[name]?.count ?? 0 }
    }

    /// Answers `request` (or injects a failure), logs it, and says how long to wait before answering.
    func process(_ request: EmulatorRequest) -> (EmulatorResponse, Duration) {
        state.withLock { state in
            let response: EmulatorResponse
            if state.faults.failNext > 0 || (state.faults.failureRate > 0 && Double.random(in: 0..<1) < state.faults.failureRate) {
                state.faults.failNext = max(0, state.faults.failNext - 1)
                response = .error(
                    .serviceUnavailable, "ServerBusy", "The server is currently unable to receive requests. Please retry your request.")
            } else {
                response = state.service.handle(request)
                if state.faults.corruptNextCommits > 0, response.status == .created, request.method == "PUT",
                    request.queryValue("comp") == nil || request.queryValue("comp") == "blocklist",
                    let (_, container, blob) = Optional(request.segments), let container, let blob,
                    var stored = state.service.storage.containers[container]?.blobs[blob], !stored.data.isEmpty
                {
                    state.faults.corruptNextCommits -= 1
                    stored.data[stored.data.count / 2] ^= 0xFF
                    state.service.storage.containers[container]?.blobs[blob] = stored
                }
            }
            state.log.append(
                LoggedRequest(
                    method: request.method,
                    path: request.rawPath.removingPercentEncoding ?? request.rawPath,
                    comp: request.queryValue("comp"),
                    status: Int(response.status.code)
                )
            )
            return (response, state.faults.delay)
        }
    }

    /// Whether to cut the connection in the middle of this request's body.
    func shouldDropBody() -> Bool {
        state.withLock { state in
            let drop: Bool
            if state.faults.dropNextBodies > 0 {
                state.faults.dropNextBodies -= 1
                drop = true
            } else {
                drop = state.faults.dropRate > 0 && Double.random(in: 0..<1) < state.faults.dropRate
            }
            if drop { state.droppedConnections += 1 }
            return drop
        }
    }
}

/// Hands the state to the handlers before the emulator object exists.
final class StateBox: @unchecked Sendable {
    private var initial: AzureEmulator.State?
    weak var emulator: AzureEmulator?

    init(_ state: AzureEmulator.State) {
        initial = state
    }

    func take() -> AzureEmulator.State {
        defer { initial = nil }
        return initial!
    }
}

/// Collects one request and answers it.
final class EmulatorHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let box: StateBox
    private var head: HTTPRequestHead?
    private var body = Data()
    private var dropAfter: Int?

    init(box: StateBox) {
        self.box = box
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = Data()
            dropAfter = nil
            if let length = head.headers.first(name: "Content-Length").flatMap(Int.init), length > 1, box.emulator?.shouldDropBody() == true
            {
                dropAfter = length / 2
            }
        case .body(var buffer):
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
            if let dropAfter, body.count >= dropAfter {
                context.close(promise: nil)
            }
        case .end:
            guard let head, let emulator = box.emulator else { return }
            let (response, delay) = emulator.process(EmulatorRequest(head: head, body: body))
            if delay > .zero {
                let nanoseconds = delay.components.seconds * 1_000_000_000 + delay.components.attoseconds / 1_000_000_000
                let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: .nanoseconds(nanoseconds)) { [self] in
                    respond(response, to: head, context: bound.value)
                }
            } else {
                respond(response, to: head, context: context)
            }
            self.head = nil
            body = Data()
        }
    }

    private func respond(_ response: EmulatorResponse, to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let keepAlive = head.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "x-ms-request-id", value: UUID().uuidString.lowercased())
        headers.add(name: "x-ms-version", value: head.headers.first(name: "x-ms-version") ?? "2021-08-06")
        headers.add(name: "Date", value: EmulatorService.httpDate(Date()))
        if let requestID = head.headers.first(name: "x-ms-client-request-id") {
            headers.add(name: "x-ms-client-request-id", value: requestID)
        }
        for (name, value) in response.headers { headers.add(name: name, value: value) }
        if !headers.contains(name: "Content-Length") { headers.add(name: "Content-Length", value: String(response.body.count)) }
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers))), promise: nil)
        if head.method != .HEAD && !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        }
        let bound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
            if !keepAlive { bound.value.close(promise: nil) }
        }
    }
}
