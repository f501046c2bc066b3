import Foundation
import HTTPTypes
import Hummingbird

/// Keeps web pages out of a server that asks no token
/// (`--insecure-dev-no-auth`, loopback only): a page the developer opens,
/// from any site, could otherwise drive it, since the browser runs on the
/// same machine. Refused with 403:
///
/// - a `Host` that is not this server's loopback name and port: a page of
///   `evil.example` whose name was made to point at 127.0.0.1 (DNS
///   rebinding) sends `Host: evil.example`;
/// - an `Origin` not among the allowed origins (`--cors-origin`): every
///   page's POST carries its origin, `text/plain` ones included, which
///   need no CORS preflight and would otherwise be executed;
/// - `Sec-Fetch-Site: cross-site` without an allowed origin: what browsers
///   send on a page's request to another site, GETs included.
///
/// Clients that are not browsers (curl, Nachet's Python clients, the
/// agent) send `Host: 127.0.0.1:<port>` or `localhost:<port>` and no
/// `Origin`, and pass.
struct LoopbackGuardMiddleware: RouterMiddleware {
    typealias Context = NachetRequestContext

    /// Origins whose pages may call the routes (`--cors-origin`).
    let allowedOrigins: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let refusal = Self.refusal(of: request.head, localPort: context.localPort, allowedOrigins: allowedOrigins) {
            throw NachetAPIError(
                status: .forbidden, code: .foreignOrigin,
                message:
                    "Forbidden : \(refusal); this server asks no token (--insecure-dev-no-auth), so only programs on this machine may call it, not web pages: call it as http://127.0.0.1:\(context.localPort.map(String.init) ?? "<port>"), or add the page's origin with --cors-origin"
            )
        }
        return try await next(request, context)
    }

    /// Why `head` is refused, or `nil` when it is not.
    ///
    /// - Parameter localPort: The port the connection came to (so that a
    ///   port the system picked, for port 0, is known).
    static func refusal(of head: HTTPRequest, localPort: Int?, allowedOrigins: Set<String>) -> String? {
        guard let authority = head.authority, isLoopback(authority: authority, port: localPort) else {
            return "the Host header (\(head.authority.map { "\"\($0)\"" } ?? "none")) is not this machine's loopback address and port"
        }
        if let origin = head.headerFields[.origin] {
            return allowedOrigins.contains(origin) ? nil : "requests from pages of \(origin) are refused"
        }
        if head.headerFields[.secFetchSite]?.lowercased() == "cross-site" {
            return "requests from pages of another site are refused"
        }
        return nil
    }

    /// Whether `authority` (`host[:port]`) names this machine's loopback
    /// address and `port`.
    static func isLoopback(authority: String, port: Int?) -> Bool {
        let host: Substring
        let givenPort: Substring?
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            givenPort = rest.hasPrefix(":") ? rest.dropFirst() : (rest.isEmpty ? nil : "")
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            givenPort = authority[authority.index(after: colon)...]
        } else {
            host = Substring(authority)
            givenPort = nil
        }
        guard ["localhost", "127.0.0.1", "::1"].contains(host.lowercased()) else { return false }
        guard let port else { return true }
        return givenPort.map { Int($0) == port } ?? (port == 80)
    }
}

extension HTTPField.Name {
    /// `Sec-Fetch-Site`: where a browser's request comes from (`same-origin`,
    /// `same-site`, `cross-site`, `none`).
    static let secFetchSite = known("Sec-Fetch-Site")
}
