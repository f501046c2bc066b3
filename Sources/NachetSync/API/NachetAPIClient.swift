import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// Sends requests to Nachet's batch-import API and turns every answer that
/// is not a success into an ``APIError`` saying what to do.
///
/// Certificates are verified: against the system's trust store, or the
/// certificate authorities of ``APIEndpoint/certificateAuthorityFile``.
/// The token goes in the `Authorization` header of each request and
/// nowhere else: not in a URL, a log line or a message.
struct NachetAPIClient: Sendable {
    /// A request's body.
    enum Body: Sendable {
        /// A JSON document.
        case json(Data)
        /// Bytes already in memory.
        case bytes(ByteBuffer)
        /// The open file's bytes, streamed (``FileChunks``).
        case file(SourceFile, size: Int64)
    }

    /// An answer with a 2xx status.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer

        /// The body decoded as `type`.
        /// - Throws: ``APIError`` `.unexpected` when it is not.
        func decoded<Value: Decodable>(_ type: Value.Type, from location: String) throws(APIError) -> Value {
            do {
                return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
            } catch {
                throw APIError(
                    .unexpected,
                    "\(location) answered something that is not Nachet's API (\(String(decoding: body.readableBytesView.prefix(120), as: UTF8.self))); check --nachet-url"
                )
            }
        }
    }

    /// Seconds to connect, and to wait for an answer once a request is sent
    /// (storing a 1 GiB picture in a far blob store takes a while).
    static let connectTimeout = TimeAmount.seconds(10)
    static let readTimeout = TimeAmount.seconds(600)
    /// JSON answers larger than this are refused (the seed catalogue and a
    /// user's directories are far smaller).
    static let largestAnswer = 64 << 20
    /// Attempts of a request that may be repeated, when the server cannot
    /// be reached or says its datastore is unavailable.
    static let attempts = 3

    let endpoint: APIEndpoint
    let logger: Logger
    private let http: HTTPClient

    /// A client for `endpoint`, with up to `connections` connections.
    /// - Throws: ``ConfigurationError`` when the CA file cannot be read.
    init(endpoint: APIEndpoint, connections: Int, logger: Logger) throws(ConfigurationError) {
        self.endpoint = endpoint
        self.logger = logger
        http = try HTTPClients.client(certificateAuthorityFile: endpoint.certificateAuthorityFile, connections: connections)
    }

    /// Sends one request and returns its answer when its status is 2xx.
    ///
    /// - Parameters:
    ///   - repeatable: Whether the request may be sent again when the
    ///     server cannot be reached or answers that it is unavailable (true
    ///     for every request `serve` answers idempotently; false for a
    ///     legacy upload, which a second sending could store twice).
    /// - Throws: ``APIError`` for every failure, with its fix.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)] = [],
        headers: [(String, String)] = [],
        body: Body? = nil,
        repeatable: Bool = true
    ) async throws(APIError) -> Answer {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await sendOnce(method, path, query: query, headers: headers, body: body)
            } catch where error.code == .unavailable && repeatable && attempt < Self.attempts && !Task.isCancelled {
                logger.debug("retrying", metadata: ["route": "\(path)", "attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: .milliseconds(250 * attempt * attempt))
            }
        }
    }

    private func sendOnce(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)],
        headers: [(String, String)],
        body: Body?
    ) async throws(APIError) -> Answer {
        var request = HTTPClientRequest(url: endpoint.baseURL + path + Self.queryString(query))
        request.method = method
        if let token = endpoint.token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        request.headers.add(name: "User-Agent", value: "nachet-sync")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        switch body {
        case .json(let data):
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        case .bytes(let buffer):
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.body = .bytes(buffer)
        case .file(let file, let size):
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.body = .stream(FileChunks(file: file, size: size), length: .known(size))
        case nil:
            break
        }
        let response: HTTPClientResponse
        let collected: ByteBuffer
        do {
            // AsyncHTTPClient is not given the agent's logger: nothing it
            // might log at trace level (headers) can carry the token there.
            response = try await http.execute(request, timeout: .hours(24))
            collected = try await response.body.collect(upTo: Self.largestAnswer)
        } catch let error as BlobStoreError {
            // The file being sent shrank or became unreadable.
            throw APIError(error.code == .contentChanged ? .contentChanged : .refused, error.description)
        } catch {
            throw transportFailure(error, path: path)
        }
        let status = Int(response.status.code)
        guard (200..<300).contains(status) else {
            throw refusal(status: status, headers: response.headers, body: collected, path: path)
        }
        return Answer(status: status, headers: response.headers, body: collected)
    }

    /// `?a=b&c=d`, each value percent-encoded as `serve` reads it.
    static func queryString(_ query: [(String, String)]) -> String {
        guard !query.isEmpty else { return "" }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return "?"
            + query.map { key, value in
                "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"
            }.joined(separator: "&")
    }

    /// A request that got no answer: a certificate not trusted, or a server
    /// that cannot be reached.
    private func transportFailure(_ error: any Error, path: String) -> APIError {
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return APIError(
                .untrusted,
                "the certificate of \(endpoint.location) cannot be trusted (\(error)); give the server a certificate from an authority this PC trusts, or name the authority's PEM file with --nachet-ca-file (NACHET_SYNC_API_CA_FILE)"
            )
        }
        let reason =
            if let error = error as? HTTPClientError { "\(error)" } else { String(describing: type(of: error)) + ": " + "\(error)".prefix(200) }
        return APIError(.unavailable, "cannot reach the Nachet API at \(endpoint.location) (\(reason)); retrying later")
    }

    /// The error a refusal says: by the `X-Nachet-Error` code when `serve`
    /// sent one, else by the status.
    private func refusal(status: Int, headers: HTTPHeaders, body: ByteBuffer, path: String) -> APIError {
        let said = Self.message(in: body)
        let serverCode = headers.first(name: NachetWire.Header.error).map(NachetWire.ErrorCode.init(name:))
        let at = "\(endpoint.location)\(path)"
        switch (status, serverCode) {
        case (401, _):
            let fix =
                endpoint.token == nil
                ? "give this PC's token with NACHET_SYNC_TOKEN (or --token, or the --config file); the server's administrator makes one with `nachet-sync serve token add`"
                : "the token was revoked or mistyped: have the server's administrator make a new one (`nachet-sync serve token add --tokens-file FILE NAME EMAIL…`) and give it with NACHET_SYNC_TOKEN"
            return APIError(.tokenRefused, "\(at) refused the token (\(said)); \(fix)", serverCode: serverCode)
        case (403, _):
            return APIError(
                .forbidden,
                "\(at) refused: \(said); on the server, add the user's e-mail to this PC's line in the tokens file, then reload it (`systemctl reload nachet-sync-serve`)",
                serverCode: serverCode)
        case (_, NachetWire.ErrorCode.datastoreUnavailable?), (429, _), (500..<600, _):
            return APIError(.unavailable, "the Nachet API at \(endpoint.location) is unavailable (\(status): \(said)); retrying later", serverCode: serverCode)
        case (_, NachetWire.ErrorCode.sha256Mismatch?):
            return APIError(
                .contentChanged, "the file changed while it was being sent (\(said)); it is taken again once it stops changing", serverCode: serverCode)
        case (_, NachetWire.ErrorCode.tooLarge?), (413, _):
            return APIError(.tooLarge, "\(at) refused the image as too large (\(said))", serverCode: serverCode)
        case (404, _), (405, _):
            return APIError(
                .unexpected,
                "\(at) answered \(status): is \(endpoint.location) the address of nachet-sync serve or of Nachet's backend? Check --nachet-url",
                serverCode: serverCode)
        default:
            return APIError(.refused, "\(at) refused (\(status)): \(said)", serverCode: serverCode)
        }
    }

    /// The one message of Nachet's error list, or the start of the body.
    static func message(in body: ByteBuffer) -> String {
        let data = Data(body.readableBytesView)
        if let list = try? JSONSerialization.jsonObject(with: data) as? [Any], let first = list.first as? String { return first }
        let text = String(decoding: data.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "no message" : text
    }
}

/// The HTTP clients of the process, one per set of trusted authorities and
/// connection count, made once and kept: AsyncHTTPClient wants each client
/// shut down before it goes, and the agent's API destinations come and go
/// with every reload.
enum HTTPClients {
    private static let clients = Mutex<[String: HTTPClient]>([:])

    static func client(certificateAuthorityFile: String?, connections: Int) throws(ConfigurationError) -> HTTPClient {
        let key = "\(certificateAuthorityFile ?? "-")|\(connections)"
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = certificateAuthorityFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            } catch {
                throw ConfigurationError(
                    "cannot read the certificate authorities file \(file) (--nachet-ca-file): \(error); give a PEM file of CA certificates")
            }
        }
        return clients.withLock { clients in
            if let client = clients[key] { return client }
            var configuration = HTTPClient.Configuration()
            configuration.tlsConfiguration = tls
            configuration.timeout = .init(connect: NachetAPIClient.connectTimeout, read: NachetAPIClient.readTimeout)
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections))
            // A refused connection fails at once; ``NachetAPIClient/send`` retries
            // it a few times itself, then the pass stops and is tried again later.
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.httpVersion = .http1Only
            configuration.decompression = .disabled
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }
}
