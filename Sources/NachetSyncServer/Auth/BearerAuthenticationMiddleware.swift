import Foundation
import HTTPTypes
import Hummingbird

/// Lets a request through only with a token the tokens file lists
/// (``TokenRegistry``), and records who it is (``Caller``). Every other
/// request gets 401 and a JSON body, before its body is read; `/health`
/// needs none.
///
/// The token comes as `Authorization: Bearer <token>`; on the fleet page,
/// which a browser opens, it may come as the password of HTTP Basic
/// authentication too (the browser asks for it once; the user name is not
/// looked at). A lab PC's
/// token opens Nachet's routes and the report route; an administrator's
/// (`@admin`) the fleet page only: each of the other is refused (403).
///
/// A server started with `--insecure-dev-no-auth` (loopback only) has no
/// registry: every request is the ``Caller/developer``, as every request to
/// Nachet's own backend is.
struct BearerAuthenticationMiddleware: RouterMiddleware {
    typealias Context = NachetRequestContext

    /// The tokens accepted; `nil` in development mode.
    let tokens: TokenRegistry?

    /// Paths served without a token.
    static let openPaths: Set<String> = ["/health"]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let path = request.uri.path
        if Self.openPaths.contains(path) { return try await next(request, context) }
        let forFleet = FleetPaths.contains(path)
        let caller = try authenticate(request.headers[.authorization], forFleet: forFleet)
        switch (forFleet, caller.mayViewFleet, caller.machine) {
        case (true, false, _):
            throw NachetAPIError.forbiddenToken(
                "a lab PC's token does not open the fleet page; use an administrator's token (`nachet-sync serve token add --admin NAME`)")
        case (false, _, nil):
            throw NachetAPIError.forbiddenToken("an administrator's token opens the fleet page (/fleet) only; lab PCs use tokens of their own")
        default:
            break
        }
        context.caller = caller
        context.exchange.caller = caller.logName
        context.exchange.machine = caller.machine
        return try await next(request, context)
    }

    /// The caller the `Authorization` header names.
    private func authenticate(_ header: String?, forFleet: Bool) throws(NachetAPIError) -> Caller {
        guard let tokens else { return .developer }
        let refuse = { (reason: String) in NachetAPIError.unauthorized(reason, browser: forFleet) }
        guard let header else { throw refuse("this server needs a bearer token: send `Authorization: Bearer <token>`") }
        guard let token = Self.token(in: header, basic: forFleet) else {
            throw refuse("the Authorization header must be `Bearer <token>`" + (forFleet ? " (or Basic, with the token as the password)" : ""))
        }
        guard let grant = tokens.grant(forToken: token) else {
            throw refuse("the token is not valid: unknown or revoked; ask the administrator for a new one")
        }
        return .token(grant)
    }

    /// The token of `Bearer <token>`, or, when `basic`, the password of
    /// `Basic base64(user:password)`; `nil` for anything else.
    static func token(in header: String, basic: Bool) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2 else { return nil }
        let credentials = parts[1].trimmingCharacters(in: .whitespaces)
        switch parts[0].lowercased() {
        case "bearer":
            return credentials.isEmpty ? nil : credentials
        case "basic" where basic:
            guard let decoded = Data(base64Encoded: credentials).flatMap({ String(data: $0, encoding: .utf8) }),
                let colon = decoded.firstIndex(of: ":")
            else { return nil }
            let password = String(decoded[decoded.index(after: colon)...])
            return password.isEmpty ? nil : password
        default:
            return nil
        }
    }
}
