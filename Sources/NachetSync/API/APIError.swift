import Foundation

/// What went wrong talking to Nachet's batch-import API.
///
/// The description names the server's URL (which holds no secret), the
/// route, what the server said and the fix; never the token.
package struct APIError: Error, CustomStringConvertible, Sendable {
    /// Opaque kinds of failure, each deciding whether the pass stops and
    /// whether retrying later may work.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String

        /// The server cannot be reached, or answered 5xx, or said the
        /// datastore behind it is unavailable: later may work.
        package static let unavailable = Code(name: "unavailable")
        /// 401: no token, or one the server does not know (revoked, mistyped).
        package static let tokenRefused = Code(name: "token refused")
        /// The certificate could not be verified.
        package static let untrusted = Code(name: "untrusted")
        /// 403: the token may not act for this user or set.
        package static let forbidden = Code(name: "forbidden")
        /// The server refused this one request (400): a folder's or file's problem.
        package static let refused = Code(name: "refused")
        /// The file changed while it was sent (the server's hash differs).
        package static let contentChanged = Code(name: "content changed")
        /// The file is over what the server takes.
        package static let tooLarge = Code(name: "too large")
        /// The server answered something that is not Nachet's API: a wrong URL.
        package static let unexpected = Code(name: "unexpected answer")

        package var description: String { name }
    }

    package var code: Code
    package var message: String
    /// The server's `X-Nachet-Error` code, when it sent one.
    package var serverCode: NachetWire.ErrorCode?
    /// Why the server could not be used, in a few words and without
    /// secrets (`connection refused`, `503: …`), for an unavailable server:
    /// how its retries are said once per cause (``StoreHealth``).
    package var cause: String?

    package init(_ code: Code, _ message: String, serverCode: NachetWire.ErrorCode? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.serverCode = serverCode
        self.cause = cause
    }

    package var description: String { message }
}

extension APIError: PassStoppingError {
    /// A server that cannot be reached, a token refused, a certificate not
    /// trusted or a URL that is not the API fail every file alike; a
    /// refusal of one request concerns that folder or file.
    package var affectsEveryFile: Bool {
        [.unavailable, .tokenRefused, .untrusted, .unexpected].contains(code)
    }

    package var isTransient: Bool { code == .unavailable }
}
