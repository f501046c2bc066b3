import Foundation
import HTTPTypes
import Hummingbird

/// Keeps web pages out of a server that asks no token
/// (`--insecure-dev-no-auth`, loopback only): a page the developer opens,
/// from any site, could otherwise drive it, since the browser runs on the
/// same machine. Refused with 403:
///
/// - a `Host` that is not a loopback name or address: a page of
///   `evil.example` whose name was made to point at 127.0.0.1 (DNS
///   rebinding) sends `Host: evil.example`. Any port is taken: a tunnel
///   or proxy on this machine (`ssh -L 9000:127.0.0.1:8080`) gives its
///   own, and a page of another local port is known by its `Origin`;
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
        if let refusal = Self.refusal(of: request.head, allowedOrigins: allowedOrigins) {
            throw NachetAPIError(
                status: .forbidden, code: .foreignOrigin,
                message:
                    "Forbidden : \(refusal); this server asks no token (--insecure-dev-no-auth), so only programs on this machine may call it, not web pages: call it as http://127.0.0.1:\(context.localPort.map(String.init) ?? "<port>"), or add the page's origin with --cors-origin"
            )
        }
        return try await next(request, context)
    }

    /// Why `head` is refused, or `nil` when it is not.
    static func refusal(of head: HTTPRequest, allowedOrigins: Set<String>) -> String? {
        guard let authority = head.authority, isLoopback(authority: authority) else {
            return "the Host header (\(head.authority.map { "\"\($0)\"" } ?? "none")) is not this machine's loopback address"
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
    /// interface: `localhost`, `127.0.0.1` or `[::1]`, with a port or none.
    static func isLoopback(authority: String) -> Bool {
        let host: Substring
        let port: Substring
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            host = authority[authority.index(after: authority.startIndex)..<close]
            let rest = authority[authority.index(after: close)...]
            guard rest.isEmpty || rest.hasPrefix(":") else { return false }
            port = rest.dropFirst()
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            port = authority[authority.index(after: colon)...]
        } else {
            host = Substring(authority)
            port = ""
        }
        guard port.allSatisfy(\.isASCII) && port.allSatisfy(\.isNumber) else { return false }
        return ["localhost", "127.0.0.1", "::1"].contains(host.lowercased())
    }
}

extension HTTPField.Name {
    /// `Sec-Fetch-Site`: where a browser's request comes from (`same-origin`,
    /// `same-site`, `cross-site`, `none`).
    static let secFetchSite = known("Sec-Fetch-Site")
}
