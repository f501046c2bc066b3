import Foundation
import HTTPTypes
import Hummingbird

/// Lets a request through only with `Authorization: Bearer <token>` for a
/// token the tokens file lists (``TokenRegistry``), and records who it is
/// (``Caller``). Every other request gets 401 and a JSON body, before its
/// body is read; `/health` needs no token.
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
        if Self.openPaths.contains(request.uri.path) { return try await next(request, context) }
        guard let tokens else {
            context.caller = .developer
            context.exchange.caller = Caller.developer.logName
            return try await next(request, context)
        }
        guard let header = request.headers[.authorization] else {
            throw NachetAPIError.unauthorized("this server needs a bearer token: send `Authorization: Bearer <token>`")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].trimmingCharacters(in: .whitespaces).isEmpty else {
            throw NachetAPIError.unauthorized("the Authorization header must be `Bearer <token>`")
        }
        guard let grant = tokens.grant(forToken: parts[1].trimmingCharacters(in: .whitespaces)) else {
            throw NachetAPIError.unauthorized("the token is not valid: unknown or revoked; ask the administrator for a new one")
        }
        context.caller = .token(grant)
        context.exchange.caller = grant.name
        return try await next(request, context)
    }
}
