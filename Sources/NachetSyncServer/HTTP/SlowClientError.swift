import Foundation
import HTTPTypes
import Hummingbird
import NachetSync

/// A request body that arrived slower than the server's minimum rate
/// (``ConnectionPaceHandler``): answered 408, `X-Nachet-Error: too-slow`,
/// and the connection closed.
///
/// Thrown by the request body's reads, so a route answers it with its own
/// action (``NachetAPIError/failure(_:_:)``); where none is known, it
/// answers for itself.
struct SlowClientError: Error, HTTPResponseError, CustomStringConvertible {
    /// The rate the body averaged, in bytes per second.
    let rate: Double
    let limits: ServerLimits

    var status: HTTPResponse.Status { .requestTimeout }

    /// Why, and what to do.
    var reason: String {
        "the request's body arrived at \(Int(rate)) bytes/s, below the server's minimum of \(limits.minimumRate) bytes/s over \(ConnectionEvents.seconds(limits.rateWindow)) s (\(NumericSetting.serveMinimumRate.variable)); send it over a faster link, or ask the server's administrator to lower that minimum"
    }

    var description: String { reason }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        try NachetAPIError.slow(NachetAction(doing: "receiving the request"), self).response(from: request, context: context)
    }
}

extension NachetWire.ErrorCode {
    /// The request's body arrived slower than the server's minimum rate (408).
    static let tooSlow = NachetWire.ErrorCode(name: "too-slow")
    /// A request `--insecure-dev-no-auth` refuses: a foreign `Host`, or a
    /// page of another origin (403).
    static let foreignOrigin = NachetWire.ErrorCode(name: "foreign-origin")
}

extension NachetAPIError {
    /// A body that arrived too slowly: 408, and the connection closes.
    static func slow(_ action: NachetAction, _ error: SlowClientError) -> NachetAPIError {
        NachetAPIError(
            status: .requestTimeout, code: .tooSlow, message: "API Error \(action.doing) : \(error.reason)", headers: [.connection: "close"]
        )
    }
}
