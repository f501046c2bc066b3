import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Why an HTTP request got no usable answer, in a few words a technician
/// can act on: what the Azure client and the API client say, instead of
/// an error's type (`NIOTooManyBytesError`, `HTTPClientError.readTimeout`)
/// or its raw text.
///
/// Never the request's URL (it may hold a SAS) nor the server's words whole.
enum HTTPFailureCause {
    /// The cause of a request that failed without an answer.
    ///
    /// - Parameters:
    ///   - error: What the HTTP client threw.
    ///   - connectTimeout: How long a connection may take, for "no connection within".
    ///   - timeout: How long an answer may take, for "no answer within".
    ///   - largestAnswer: The most bytes an answer may hold, for an answer
    ///     refused as too large.
    static func describe(_ error: any Error, connectTimeout: Duration, timeout: Duration, largestAnswer: Int? = nil) -> String {
        let noConnection = "no connection within \(StoreHealth.seconds(connectTimeout))"
        let noAnswer = "no answer within \(StoreHealth.seconds(timeout))"
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout: return noConnection
            case .deadlineExceeded, .readTimeout: return noAnswer
            case .writeTimeout: return "the server took nothing of the request for \(StoreHealth.seconds(timeout))"
            case .remoteConnectionClosed: return "the server closed the connection without a complete answer"
            case .cancelled: return "the request was cancelled"
            case .bodyLengthMismatch: return "the answer's length is not the one it announced"
            default: break
            }
        }
        if error is NIOTooManyBytesError {
            return "the answer is larger than \(largestAnswer.map { "\($0 >> 20) MiB" } ?? "the most taken"), which no answer of this service is"
        }
        if error is HTTPParserError { return "the answer is not HTTP (is the address that of another service?)" }
        let text = "\(error)"
        let known: [(String, String)] = [
            ("refused", "connection refused"),
            ("ECONNREFUSED", "connection refused"),
            ("connectTimeout", noConnection),
            ("No route to host", "no route to the server's host"),
            ("Network is unreachable", "the network is unreachable"),
            ("Connection reset", "the connection was reset"),
            ("could not resolve", "its host name cannot be resolved (DNS)"),
            ("NXDOMAIN", "its host name cannot be resolved (DNS)"),
            ("certificate", "its TLS certificate is not trusted"),
            ("handshake", "the TLS handshake failed"),
        ]
        if let match = known.first(where: { text.localizedCaseInsensitiveContains($0.0) }) { return match.1 }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError { return "the TLS connection failed" }
        // Something rarer: its words, bounded and without secrets, not its type.
        return "the connection failed (\(SecretMasking.excerpt(of: text, limit: 80)))"
    }
}
