import AsyncHTTPClient
import Foundation
import Glibc
import Logging
import NIOCore
import NIOHTTP1

/// Sends signed requests to one storage account's blob service, retrying
/// transient failures until the give-up time (``RetryPolicy/giveUpAfter``),
/// and saying each new cause of failure at once (``StoreHealth``).
struct AzureBlobClient: Sendable {
    /// The REST API version: 2019-12-12 or newer has blob index tags.
    static let apiVersion = "2021-08-06"

    let account: AzureAccount
    let retry: RetryPolicy
    let timeout: Duration
    let logger: Logger
    /// Where failures and recoveries are said, and kept for `STATUS=`.
    let health: StoreHealth
    private let http: HTTPClient

    init(account: AzureAccount, retry: RetryPolicy, timeout: Duration, health: StoreHealth, logger: Logger) {
        self.account = account
        self.retry = retry
        self.timeout = timeout
        self.logger = logger
        self.health = health
        http = AzureHTTP.client
    }

    /// The service's host, for messages (never the URL: it may hold a SAS).
    var place: String { "Azure Blob Storage at \(account.endpoint.host ?? "?")" }

    /// Sends `request`, retrying transient failures, and returns the response
    /// whatever its status; throws ``BlobStoreError/Code-swift.struct/unavailable``
    /// only when no attempt got an answer (or the last was a transient status)
    /// before the give-up time or the attempts ran out.
    func send(_ request: AzureRequest) async throws(BlobStoreError) -> AzureResponse {
        let clock = ContinuousClock()
        var attempts = retry.attempts(startingAt: clock.now)
        while true {
            let requestID = UUID().lowercased
            // Each attempt is cut at the give-up time too, so a service that
            // accepts connections and never answers is given up on in time.
            let attemptTimeout = min(timeout, max(attempts.remaining(at: clock.now) ?? timeout, .milliseconds(100)))
            let cause: String
            do {
                let response = try await sendOnce(request, requestID: requestID, timeout: attemptTimeout)
                if !Self.isTransient(status: response.status) {
                    health.answered(.blobStore)
                    return response
                }
                cause = AzureFailureCause.describe(status: response.status, errorCode: response.errorCode)
            } catch {
                cause = AzureFailureCause.describe(error, timeout: attemptTimeout)
            }
            if Task.isCancelled { throw BlobStoreError(.unavailable, "cancelled while sending \(request.method) \(request.subject)") }
            let attempt = attempts.attempt
            guard let pause = attempts.pauseAfterFailure(at: clock.now) else {
                health.gaveUp(.blobStore, cause: cause)
                logger.debug("giving up", metadata: ["cause": "\(cause)", "blob": "\(request.subject)", "attempts": "\(attempt)"])
                // The same words for every request given up for the same
                // cause, so `watch` says an outage once.
                let tried: String =
                    switch attempts.exhaustion(at: clock.now) {
                    case _ where attempt == 1: "tried once"
                    case .deadline(let time): "tried for \(StoreHealth.seconds(time))"
                    case .attempts, nil: "tried \(attempt) times"
                    }
                throw BlobStoreError(
                    .unavailable,
                    "cannot reach \(place): \(cause) (\(tried)); check the network and the service's status, or give it longer with --give-up-after"
                )
            }
            health.retrying(.blobStore, cause: cause, place: place, retryingFor: retry.giveUpAfter, retry: attempt)
            logger.debug(
                "retrying",
                metadata: [
                    "request_id": "\(requestID)", "cause": "\(cause)", "blob": "\(request.subject)", "attempt": "\(attempt)",
                ]
            )
            try? await Task.sleep(for: pause)
            if Task.isCancelled { throw BlobStoreError(.unavailable, "cancelled while retrying \(request.method) \(request.subject)") }
        }
    }

    /// Whether a response with `status` may succeed if sent again: the
    /// statuses Azure documents as transient.
    static func isTransient(status: Int) -> Bool {
        [408, 429, 500, 502, 503, 504].contains(status)
    }

    /// Sends `request` once, streaming the response body to `consume`; for downloads.
    func stream(
        _ request: AzureRequest,
        consume: (ByteBuffer) throws -> Void
    ) async throws -> (status: Int, headers: [String: String]) {
        let response = try await http.execute(try prepare(request, requestID: UUID().lowercased), timeout: Self.timeAmount(timeout))
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        for try await buffer in response.body { try consume(buffer) }
        return (Int(response.status.code), headers)
    }

    private func sendOnce(_ request: AzureRequest, requestID: String, timeout: Duration) async throws -> AzureResponse {
        let response = try await http.execute(try prepare(request, requestID: requestID), timeout: Self.timeAmount(timeout))
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        let body = try await response.body.collect(upTo: 16 << 20)
        return AzureResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
    }

    /// The request with its URL, standard headers and signature.
    private func prepare(_ request: AzureRequest, requestID: String) throws -> HTTPClientRequest {
        var sas: String?
        if case .sharedAccessSignature(let token) = account.authorization { sas = token }
        var outgoing = HTTPClientRequest(url: request.url(endpoint: account.endpoint, sharedAccessSignature: sas))
        outgoing.method = HTTPMethod(rawValue: request.method)
        var headers = request.headers
        headers.append(("x-ms-version", Self.apiVersion))
        headers.append(("x-ms-date", Self.httpDate(Date())))
        headers.append(("x-ms-client-request-id", requestID))
        if let body = request.body {
            headers.append(("Content-Length", String(body.readableBytes)))
            outgoing.body = .bytes(body)
        } else if request.method == "PUT" {
            headers.append(("Content-Length", "0"))
        }
        if case .sharedKey(let key) = account.authorization {
            let stringToSign = SharedKeySignature.stringToSign(
                method: request.method,
                encodedPath: request.encodedPath(endpoint: account.endpoint),
                query: request.query,
                headers: headers,
                account: account.name
            )
            headers.append(("Authorization", SharedKeySignature.authorization(account: account.name, key: key, stringToSign: stringToSign)))
        }
        for (name, value) in headers { outgoing.headers.add(name: name, value: value) }
        return outgoing
    }

    /// RFC 1123 date, as `x-ms-date` wants it.
    /// Made with `strftime` in the C locale: every request needs one, and a
    /// `DateFormatter` per request is costly.
    static func httpDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var buffer = [CChar](repeating: 0, count: 64)
        let length = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `duration` as NIO's `TimeAmount`.
    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, overflowAgain) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return .nanoseconds(overflow || overflowAgain ? .max : sum)
    }
}
