import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport

/// A `serve` for one test: a fresh datastore of the chosen backends (with
/// ``TestDatastore/technician`` registered), a tokens file, and the server
/// listening on a free port of 127.0.0.1, spoken to over real HTTP.
final class ServerHarness: Sendable {
    /// The backends the contract suite runs on: the embedded default, and
    /// PostgreSQL with the Azure emulator.
    static let backends: [Backends] = [
        Backends(catalogue: .sqlite, blobs: .local), Backends(catalogue: .postgres, blobs: .azure),
    ]

    /// An e-mail the harness's token may act for, registered with no user.
    static let unregistered = "nobody@lab.example"

    let datastore: TestDatastore
    let server: NachetServer
    let running: RunningServer
    let tokensFile: String
    /// The tokens the server accepts, `nil` with `--insecure-dev-no-auth`.
    let registry: TokenRegistry?
    /// A token acting for the technician (and ``unregistered``).
    let token: String
    let client: HTTPClient

    /// The base URL, `http://127.0.0.1:<port>`.
    var baseURL: String { "\(running.scheme)://127.0.0.1:\(running.port)" }

    /// Starts a server over a new datastore, its fleet in the catalogue's database.
    /// - Parameters:
    ///   - development: `--insecure-dev-no-auth` instead of tokens.
    ///   - maximumContentLength: The JSON request limit.
    ///   - fleetQuietAfter: When the fleet page calls a PC quiet.
    ///   - metrics: What the server records its metrics into.
    ///   - catalogue: What the server reaches its catalogue through (a
    ///     ``CountingCatalogue`` around it, say); the catalogue itself by default.
    static func start(
        _ backends: Backends = Backends(catalogue: .sqlite, blobs: .local),
        development: Bool = false,
        maximumContentLength: Int = ServerSettings.defaultMaximumContentLength,
        tls: ServerSettings.TLSFiles? = nil,
        allowedOrigins: Set<String> = [],
        fleetQuietAfter: Duration = ServerSettings.defaultFleetQuietAfter,
        metrics: ServeMetrics = .disabled,
        logger: Logger = TestDatastore.quietLogger,
        catalogue: @Sendable (any Catalogue) -> any Catalogue = { $0 }
    ) async throws -> ServerHarness {
        let datastore = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        let tokensFile = datastore.directory.appending("tokens")
        let token = try TokensFile.add(name: "lab-pc-1", users: [TestDatastore.technician, unregistered], to: tokensFile)
        let registry = development ? nil : try TokenRegistry(path: tokensFile)
        let settings = ServerSettings(
            host: "127.0.0.1",
            port: 0,
            access: registry.map { .tokens($0) } ?? .insecureDevelopment,
            tls: tls,
            maximumContentLength: maximumContentLength,
            spoolDirectory: datastore.directory.appending("spool"),
            allowedOrigins: allowedOrigins,
            fleetQuietAfter: fleetQuietAfter
        )
        let server = try NachetServer(
            settings: settings,
            datastore: ServerDatastore(
                catalogue: catalogue(datastore.catalogue), blobStore: datastore.blobStore,
                fleet: try datastore.testCatalogue.openFleetStore(), metrics: metrics),
            logger: logger)
        let running = try await server.start()
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = .makeClientConfiguration()
        configuration.tlsConfiguration?.certificateVerification = .none
        // As many connections as a test's clients at once (AHC keeps 8 by
        // default, and a request waiting for one on a loaded machine gave
        // up after the connect timeout's 10 s).
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.timeout = .init(connect: .seconds(120))
        return ServerHarness(
            datastore: datastore, server: server, running: running, tokensFile: tokensFile, registry: registry, token: token,
            client: HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration))
    }

    /// Runs `body` with a server started as ``start(_:development:maximumContentLength:tls:allowedOrigins:fleetQuietAfter:metrics:logger:)``
    /// starts it, and stops the server afterwards, whether `body` threw or not.
    static func with(
        _ backends: Backends = Backends(catalogue: .sqlite, blobs: .local),
        development: Bool = false,
        maximumContentLength: Int = ServerSettings.defaultMaximumContentLength,
        tls: ServerSettings.TLSFiles? = nil,
        allowedOrigins: Set<String> = [],
        fleetQuietAfter: Duration = ServerSettings.defaultFleetQuietAfter,
        metrics: ServeMetrics = .disabled,
        logger: Logger = TestDatastore.quietLogger,
        _ body: (ServerHarness) async throws -> Void
    ) async throws {
        let harness = try await start(
            backends, development: development, maximumContentLength: maximumContentLength, tls: tls, allowedOrigins: allowedOrigins,
            fleetQuietAfter: fleetQuietAfter, metrics: metrics, logger: logger)
        do {
            try await body(harness)
        } catch {
            try? await harness.stop()
            throw error
        }
        try await harness.stop()
    }

    private init(
        datastore: TestDatastore, server: NachetServer, running: RunningServer, tokensFile: String, registry: TokenRegistry?, token: String,
        client: HTTPClient
    ) {
        self.datastore = datastore
        self.server = server
        self.running = running
        self.tokensFile = tokensFile
        self.registry = registry
        self.token = token
        self.client = client
    }

    /// Stops the server and the client; every test ends with it.
    func stop() async throws {
        try await client.shutdown()
        try await running.stop()
    }

    /// The technician's user id, as `container_name` takes it.
    var userID: String { datastore.user.id.lowercased }

    /// A new token acting for `users`, added to the tokens file and
    /// accepted from now on (as after a SIGHUP).
    func addToken(name: String, users: [String]) throws -> String {
        let token = try TokensFile.add(name: name, users: users, to: tokensFile)
        try registry?.reload()
        return token
    }

    /// A new administrator's token (`@admin`: the fleet page), accepted from now on.
    func addAdminToken(name: String = "ops") throws -> String {
        let token = try TokensFile.add(name: name, users: [], admin: true, to: tokensFile)
        try registry?.reload()
        return token
    }

    /// Registers another user (with its General set and blob folder).
    func registerUser(_ email: String) async throws -> CatalogueUser {
        try await datastore.engine().registerUser(email: email).user
    }

    // MARK: - Requests

    /// An answer: status, headers, and the body's bytes.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: Data

        /// The body as JSON.
        var json: Any? { try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed]) }
        /// The body as text.
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The one message of a refusal (`["…"]`), or `nil` when the body is not one.
        var message: String? {
            guard let list = json as? [Any], list.count == 1 else { return nil }
            return list[0] as? String
        }
        /// `X-Nachet-Error`.
        var errorCode: String? { headers.first(name: "X-Nachet-Error") }
    }

    /// How a request authenticates.
    enum Credentials {
        /// The harness's token.
        case token
        /// No `Authorization` header.
        case none
        /// This bearer token.
        case bearer(String)
        /// This `Authorization` header, as given.
        case header(String)
    }

    /// Sends `method path` with `body` and returns the answer.
    func send(
        _ method: HTTPMethod, _ path: String, body: Data? = nil, headers: [(String, String)] = [],
        credentials: Credentials = .token
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        switch credentials {
        case .token: request.headers.add(name: "Authorization", value: "Bearer \(token)")
        case .none: break
        case .bearer(let token): request.headers.add(name: "Authorization", value: "Bearer \(token)")
        case .header(let value): request.headers.add(name: "Authorization", value: value)
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(300))
        let bytes = try await response.body.collect(upTo: 1 << 30)
        return Answer(status: Int(response.status.code), headers: response.headers, body: Data(bytes.readableBytesView))
    }

    /// `POST path` with the JSON object `fields`.
    func post(_ path: String, _ fields: [String: Any], credentials: Credentials = .token) async throws -> Answer {
        try await send(
            .POST, path, body: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), credentials: credentials)
    }

    /// `POST /new-batch-import` for the technician; the session id.
    func newSession(folder: String = "lot-1", pictures: Int = 3) async throws -> String {
        let answer = try await post("/new-batch-import", ["container_name": userID, "nb_pictures": pictures, "folder_name": folder])
        guard answer.status == 200, let session = (answer.json as? [String: Any])?["session_id"] as? String else {
            throw HarnessFailure(description: "new-batch-import answered \(answer.status): \(answer.text)")
        }
        return session
    }

    /// The body of a legacy `/upload-picture` for `bytes`.
    func uploadFields(session: String, bytes: Data, extra: [String: Any] = [:]) -> [String: Any] {
        Self.uploadFields(userID: userID, session: session, bytes: bytes, extra: extra)
    }

    /// The body of a legacy `/upload-picture` for `bytes`, to the set
    /// `session` of the user `userID`.
    static func uploadFields(userID: String, session: String, bytes: Data, extra: [String: Any] = [:]) -> [String: Any] {
        [
            "container_name": userID, "session_id": session, "seed_name": "Brassica napus", "zoom_level": 1.5, "nb_seeds": 10,
            "image": "data:image/png;base64," + bytes.base64EncodedString(),
        ].merging(extra) { $1 }
    }
}

/// A step of a test's set-up that did not go as planned.
struct HarnessFailure: Error, CustomStringConvertible {
    var description: String
}

extension Data {
    /// The SHA-256 of these bytes, in hexadecimal.
    var sha256: String { SHA256Digest.hash(Array(self)).hex }
}

/// Runs `body` with a new HTTP client, shut down afterwards whatever happens.
func withHTTPClient<Result: Sendable>(
    _ configuration: HTTPClient.Configuration = HTTPClient.Configuration(),
    _ body: (HTTPClient) async throws -> Result
) async throws -> Result {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}
