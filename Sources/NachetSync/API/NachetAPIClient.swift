import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL

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

        /// How many bytes it holds.
        var byteCount: Int64 {
            switch self {
            case .json(let data): Int64(data.count)
            case .bytes(let buffer): Int64(buffer.readableBytes)
            case .file(_, let size): size
            }
        }
    }

    /// An answer with a 2xx status.
    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: ByteBuffer
        /// What must never be shown of a message about this answer: the token.
        var secrets: [String]

        /// The body decoded as `type`.
        /// - Throws: ``APIError`` `.unexpected` when it is not.
        func decoded<Value: Decodable>(_ type: Value.Type, from location: String) throws(APIError) -> Value {
            do {
                return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
            } catch {
                throw APIError(
                    .unexpected,
                    "\(location) answered something that is not Nachet's API (\(NachetAPIClient.excerpt(of: body, removing: secrets, limit: 120))); check --nachet-url"
                )
            }
        }
    }

    /// The longest a connection may take to be made (shorter when the
    /// give-up time is).
    static let connectTimeout = Duration.seconds(10)
    /// The longest a picture's upload may take in all; each of its waits is
    /// bounded by the give-up time.
    static let longestUpload = Duration.seconds(24 * 3600)
    /// Requests up to this size (JSON of a few fields) are answered whole
    /// within the give-up time; larger ones carry a picture.
    static let smallRequest = 64 << 10
    /// JSON answers larger than this are refused (the seed catalogue and a
    /// user's directories are far smaller).
    static let largestAnswer = 64 << 20
    /// How a request that may be repeated is retried when the server
    /// cannot be reached or says its datastore is unavailable: three
    /// attempts at most, within the give-up time (the pass is then retried
    /// as a whole, later).
    static func retry(giveUpAfter: Duration) -> RetryPolicy {
        RetryPolicy(initialDelay: .milliseconds(250), maximumDelay: .seconds(2), giveUpAfter: giveUpAfter, maximumAttempts: 3)
    }

    let endpoint: APIEndpoint
    let logger: Logger
    /// How long any wait may last (`--give-up-after`): for a connection, for
    /// the server to take more of a request, for the first byte of its
    /// answer and for each next one; and how long a request is retried.
    let giveUpAfter: Duration
    /// Where each retry's cause is said once, and kept for `STATUS=`.
    let health: StoreHealth?
    private let http: OwnedHTTPClient

    /// A client for `endpoint`, with up to `connections` connections.
    /// - Throws: ``ConfigurationError`` when the CA file cannot be read.
    init(
        endpoint: APIEndpoint, connections: Int, giveUpAfter: Duration, health: StoreHealth? = nil, logger: Logger
    ) throws(ConfigurationError) {
        self.endpoint = endpoint
        self.logger = logger
        self.giveUpAfter = giveUpAfter
        self.health = health
        http = OwnedHTTPClient(configuration: try Self.configuration(endpoint: endpoint, connections: connections, giveUpAfter: giveUpAfter))
    }

    /// Closes the client's connections (the destination is replaced or done).
    func shutdown() async {
        await http.shutdown()
    }

    /// What must never be shown of a message about the server: the token.
    var secrets: [String] { endpoint.token.map { [$0] } ?? [] }

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
        let clock = ContinuousClock()
        var attempts = Self.retry(giveUpAfter: giveUpAfter).attempts(startingAt: clock.now)
        let giveUpAt = clock.now + giveUpAfter
        while true {
            let attempt = attempts.attempt
            do {
                let answer = try await sendOnce(method, path, query: query, headers: headers, body: body, until: giveUpAt)
                health?.answered(.api)
                return answer
            } catch where error.code == .unavailable {
                let cause = error.cause ?? error.message
                guard repeatable, !Task.isCancelled, let pause = attempts.pauseAfterFailure(at: clock.now) else {
                    health?.gaveUp(.api, cause: cause)
                    throw error
                }
                health?.retrying(.api, cause: cause, place: endpoint.location, retryingFor: giveUpAfter, retry: attempt)
                logger.debug("retrying", metadata: ["route": "\(path)", "attempt": "\(attempt)", "error": "\(error)"])
                try? await Task.sleep(for: pause)
            }
        }
    }

    private func sendOnce(
        _ method: HTTPMethod,
        _ path: String,
        query: [(String, String)],
        headers: [(String, String)],
        body: Body?,
        until giveUpAt: ContinuousClock.Instant
    ) async throws(APIError) -> Answer {
        var request = HTTPClientRequest(url: endpoint.baseURL + path + Self.queryString(query))
        let progress = UploadProgress()
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
            request.body = .stream(FileChunks(file: file, size: size, progress: progress), length: .known(size))
        case nil:
            break
        }
        // Each wait (connection, the first byte of the answer and each next
        // one) is bounded by the give-up time in the client's configuration,
        // and a streamed body's by ``UploadProgress``. A small request (no
        // picture in it) must also be answered whole by then, so a server
        // trickling its answer cannot hold it; sending a picture takes what
        // its size and the link take.
        let deadline =
            (body?.byteCount ?? 0) <= Self.smallRequest
            ? max(giveUpAt, ContinuousClock.now + .seconds(1)) : ContinuousClock.now + Self.longestUpload
        let (client, prepared, timeout) = (http.client, request, TimeAmount(deadline - ContinuousClock.now))
        let exchange: @Sendable () async throws -> (HTTPClientResponse, ByteBuffer) = {
            // AsyncHTTPClient is not given the agent's logger: nothing it
            // might log at trace level (headers) can carry the token there.
            let response = try await client.execute(prepared, timeout: timeout)
            return (response, try await response.body.collect(upTo: Self.largestAnswer))
        }
        let response: HTTPClientResponse
        let collected: ByteBuffer
        do {
            if case .file = body {
                (response, collected) = try await progress.bounding(stallsTo: giveUpAfter, exchange)
            } else {
                (response, collected) = try await exchange()
            }
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
        return Answer(status: status, headers: response.headers, body: collected, secrets: secrets)
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
                "the certificate of \(endpoint.location) cannot be trusted (\(SecretMasking.excerpt(of: "\(error)", limit: 120))); give the server a certificate from an authority this PC trusts, or name the authority's PEM file with --nachet-ca-file (\(Setting.apiCertificateAuthorities.variable))"
            )
        }
        let cause = HTTPFailureCause.describe(
            error, connectTimeout: min(Self.connectTimeout, giveUpAfter), timeout: giveUpAfter, largestAnswer: Self.largestAnswer)
        return APIError(
            .unavailable,
            "cannot reach the Nachet API at \(endpoint.location): \(cause); check that the server runs and its address (--nachet-url), or give it longer with --give-up-after",
            cause: cause
        )
    }

    /// The error a refusal says: by the `X-Nachet-Error` code when `serve`
    /// sent one, else by the status.
    private func refusal(status: Int, headers: HTTPHeaders, body: ByteBuffer, path: String) -> APIError {
        let said = Self.message(in: body, removing: secrets)
        let serverCode = headers.first(name: NachetWire.Header.error).map(NachetWire.ErrorCode.init(name:))
        let at = "\(endpoint.location)\(path)"
        switch (status, serverCode) {
        case (401, _):
            let fix =
                endpoint.token == nil
                ? "give this PC's token with \(Setting.token.variable) (or --token, or the --config file); the server's administrator makes one with `nachet-sync serve token add`"
                : "the token was revoked or mistyped: have the server's administrator make a new one (`nachet-sync serve token add --tokens-file FILE NAME EMAIL…`) and give it with \(Setting.token.variable)"
            return APIError(.tokenRefused, "\(at) refused the token (\(said)); \(fix)", serverCode: serverCode)
        case (403, _):
            return APIError(
                .forbidden,
                "\(at) refused: \(said); on the server, add the user's e-mail to this PC's line in the tokens file, then reload it (`systemctl reload nachet-sync-serve`)",
                serverCode: serverCode)
        case (_, NachetWire.ErrorCode.datastoreUnavailable?), (429, _), (500..<600, _):
            return APIError(
                .unavailable, "the Nachet API at \(endpoint.location) is unavailable (\(status): \(said)); retrying later", serverCode: serverCode,
                cause: "\(status): \(said)")
        case (_, NachetWire.ErrorCode.sha256Mismatch?):
            return APIError(
                .contentChanged, "the file changed while it was being sent (\(said)); it is taken again once it stops changing", serverCode: serverCode)
        case (_, NachetWire.ErrorCode.tooLarge?), (413, _):
            return APIError(.tooLarge, "\(at) refused the image as too large (\(said))", serverCode: serverCode)
        case (300..<400, _):
            return redirection(status: status, location: headers.first(name: "Location"), at: at)
        case (404, _), (405, _):
            return APIError(
                .unexpected,
                "\(at) answered \(status): is \(endpoint.location) the address of nachet-sync serve or of Nachet's backend? Check --nachet-url",
                serverCode: serverCode)
        default:
            return APIError(.refused, "\(at) refused (\(status)): \(said)", serverCode: serverCode)
        }
    }

    /// A redirection, never followed: the token would go with the request
    /// to wherever the server points (another host, port or scheme).
    private func redirection(status: Int, location: String?, at: String) -> APIError {
        let target = location.flatMap { Self.origin(of: $0, relativeTo: endpoint.baseURL) }
        let fix =
            target.map { "if that is where the API is, give its address with --nachet-url (the token is not sent to \($0))" }
            ?? "give the API's own address with --nachet-url"
        return APIError(.unexpected, "\(at) answered \(status), a redirection to \(target ?? "an address it did not say") that is not followed; \(fix)")
    }

    /// `scheme://host[:port]` of a redirection's `Location`, said without
    /// its path or query (which may hold anything); `nil` when it is not a URL.
    static func origin(of location: String, relativeTo base: String) -> String? {
        guard let url = URL(string: location, relativeTo: URL(string: base))?.absoluteURL, let scheme = url.scheme, let host = url.host
        else { return nil }
        let origin = "\(scheme)://\(host)" + (url.port.map { ":\($0)" } ?? "")
        return SecretMasking.excerpt(of: origin, limit: 120)
    }

    /// The one message of Nachet's error list, or the start of the body:
    /// an excerpt, bounded and without credentials (``SecretMasking/excerpt(of:removing:limit:)``).
    static func message(in body: ByteBuffer, removing secrets: [String]) -> String {
        if body.readableBytes <= 1 << 20, let list = try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [Any],
            let first = list.first as? String
        {
            return SecretMasking.excerpt(of: first, removing: secrets)
        }
        let text = excerpt(of: body, removing: secrets)
        return text.isEmpty ? "no message" : text
    }

    /// The start of a body, as ``SecretMasking/excerpt(of:removing:limit:)`` shows it.
    static func excerpt(of body: ByteBuffer, removing secrets: [String], limit: Int = SecretMasking.serverTextLimit) -> String {
        SecretMasking.excerpt(of: String(decoding: body.readableBytesView.prefix(limit * 16), as: UTF8.self), removing: secrets, limit: limit)
    }

    /// The client's configuration: every wait bounded by `giveUpAfter`,
    /// redirections not followed.
    /// - Throws: ``ConfigurationError`` when the CA file cannot be read.
    static func configuration(endpoint: APIEndpoint, connections: Int, giveUpAfter: Duration) throws(ConfigurationError) -> HTTPClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let file = endpoint.certificateAuthorityFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(file))
            } catch {
                throw ConfigurationError(
                    "cannot read the certificate authorities file \(file) (--nachet-ca-file): \(error); give a PEM file of CA certificates")
            }
        }
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        let wait = TimeAmount(giveUpAfter)
        configuration.timeout = .init(connect: TimeAmount(min(connectTimeout, giveUpAfter)), read: wait, write: wait)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, connections))
        // A refused connection fails at once; ``NachetAPIClient/send`` retries
        // it a few times itself, then the pass stops and is tried again later.
        configuration.connectionPool.retryConnectionEstablishment = false
        // The token must never go to another origin: a redirection is said,
        // with the address to give instead.
        configuration.redirectConfiguration = .disallow
        configuration.httpVersion = .http1Only
        configuration.decompression = .disabled
        return configuration
    }
}
