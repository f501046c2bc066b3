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
        HTTPFailureCause.describe(error, connectTimeout: Duration(AzureHTTP.connectTimeout), timeout: timeout)
    }

    /// The cause of a transient status (`503 ServerBusy`).
    static func describe(status: Int, errorCode: String?) -> String {
        "answered \(status)" + (errorCode.map { " " + $0 } ?? "")
    }
}
