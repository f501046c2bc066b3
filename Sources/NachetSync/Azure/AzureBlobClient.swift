import AsyncHTTPClient
import Foundation
import Glibc
import Logging
import NIOCore
import NIOHTTP1

/// Sends signed requests to one storage account's blob service, retrying
/// transient failures.
struct AzureBlobClient: Sendable {
    /// The REST API version: 2019-12-12 or newer has blob index tags.
    static let apiVersion = "2021-08-06"

    let account: AzureAccount
    let retry: AzureRetryPolicy
    let timeout: TimeAmount
    let logger: Logger
    private let http: HTTPClient

    init(account: AzureAccount, retry: AzureRetryPolicy, timeout: Duration, logger: Logger) {
        self.account = account
        self.retry = retry
        self.timeout = .nanoseconds(timeout.components.seconds * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        self.logger = logger
        http = HTTPClient.shared
    }

    /// Sends `request`, retrying transient failures, and returns the response
    /// whatever its status; throws only when every attempt failed to get one
    /// or the last was a transient status.
    func send(_ request: AzureRequest) async throws(BlobStoreError) -> AzureResponse {
        var attempt = 0
        while true {
            attempt += 1
            let requestID = UUID().lowercased
            let outcome: Result<AzureResponse, any Error>
            do {
                outcome = .success(try await sendOnce(request, requestID: requestID))
            } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let response) where !AzureRetryPolicy.isTransient(status: response.status):
                return response
            case .success(let response) where attempt >= retry.maximumAttempts:
                throw BlobStoreError(
                    .unavailable,
                    "Azure Blob Storage answered \(response.status) \(response.errorCode ?? "") to \(request.method) \(request.subject) \(attempt) times; retrying later"
                )
            case .failure(let error) where attempt >= retry.maximumAttempts:
                throw BlobStoreError(
                    .unavailable,
                    "cannot reach Azure Blob Storage at \(account.endpoint.host ?? "?") (\(Self.describe(error))); retrying later"
                )
            case .success(let response):
                logger.debug(
                    "retrying",
                    metadata: [
                        "request_id": "\(requestID)", "status": "\(response.status)", "blob": "\(request.subject)", "attempt": "\(attempt)",
                    ]
                )
            case .failure(let error):
                logger.debug(
                    "retrying",
                    metadata: [
                        "request_id": "\(requestID)", "error": "\(Self.describe(error))", "blob": "\(request.subject)",
                        "attempt": "\(attempt)",
                    ]
                )
            }
            try? await Task.sleep(for: retry.delay(beforeRetry: attempt))
            if Task.isCancelled { throw BlobStoreError(.unavailable, "cancelled while retrying \(request.method) \(request.subject)") }
        }
    }

    /// Sends `request` once, streaming the response body to `consume`; for downloads.
    func stream(
        _ request: AzureRequest,
        consume: (ByteBuffer) throws -> Void
    ) async throws -> (status: Int, headers: [String: String]) {
        let response = try await http.execute(try prepare(request, requestID: UUID().lowercased), timeout: timeout)
        var headers: [String: String] = [:]
        for (name, value) in response.headers { headers[name.lowercased()] = value }
        for try await buffer in response.body { try consume(buffer) }
        return (Int(response.status.code), headers)
    }

    private func sendOnce(_ request: AzureRequest, requestID: String) async throws -> AzureResponse {
        let response = try await http.execute(try prepare(request, requestID: requestID), timeout: timeout)
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

    /// An error said without the URL (which may hold a SAS).
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: type(of: error)) + ": " + "\(error)".prefix(200)
    }
}
