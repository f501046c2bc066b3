import AsyncHTTPClient
import Foundation
import NIOCore

/// Why a request to Azure Blob Storage got no usable answer, in a few
/// words a technician can act on, and never with the request's URL (which
/// may hold a SAS): the cause ``StoreHealth`` says once and the give-up
/// message repeats.
enum AzureFailureCause {
    /// The cause of a request that failed without an answer.
    /// - Parameter timeout: The attempt's deadline, for "no answer within".
    static func describe(_ error: any Error, timeout: Duration) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout, .getConnectionFromPoolTimeout, .tlsHandshakeTimeout: return noConnection
            case .deadlineExceeded, .readTimeout: return "no answer within \(StoreHealth.seconds(timeout))"
            case .remoteConnectionClosed: return "the service closed the connection"
            case .cancelled: return "the request was cancelled"
            default: break
            }
        }
        let text = "\(error)"
        let known: [(String, String)] = [
            ("refused", "connection refused"),
            ("ECONNREFUSED", "connection refused"),
            ("connectTimeout", noConnection),
            ("No route to host", "no route to the service's host"),
            ("Network is unreachable", "the network is unreachable"),
            ("Connection reset", "the connection was reset"),
            ("could not resolve", "its host name cannot be resolved (DNS)"),
            ("NXDOMAIN", "its host name cannot be resolved (DNS)"),
            ("certificate", "its TLS certificate is not trusted"),
            ("handshake", "the TLS handshake failed"),
        ]
        if let match = known.first(where: { text.localizedCaseInsensitiveContains($0.0) }) { return match.1 }
        return String(describing: type(of: error)) + ": " + text.prefix(200)
    }

    /// No connection in the time ``AzureHTTP`` gives one.
    static var noConnection: String {
        "no connection within \(StoreHealth.seconds(.nanoseconds(AzureHTTP.connectTimeout.nanoseconds)))"
    }

    /// The cause of a transient status (`503 ServerBusy`).
    static func describe(status: Int, errorCode: String?) -> String {
        "answered \(status)" + (errorCode.map { " " + $0 } ?? "")
    }
}
