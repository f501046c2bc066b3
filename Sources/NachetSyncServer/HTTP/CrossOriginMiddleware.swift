import Foundation
import HTTPTypes
import Hummingbird

/// Lets a browser page from an allowed origin — Nachet's web UI, served from
/// another address — call the routes (CORS), as Nachet's backend lets its
/// frontend (`NACHET_FRONTEND_PUBLIC_URL`): answers preflight requests
/// itself, before any token is asked for, and marks every answer to such an
/// origin, refusals included, so the page can read it and the extension
/// headers. Other origins get no such header, so browsers keep their pages
/// out; clients that are not browsers are not concerned.
struct CrossOriginMiddleware: RouterMiddleware {
    typealias Context = NachetRequestContext

    /// Origins allowed, exactly as browsers send them (`https://nachet.lab.example`).
    let allowedOrigins: Set<String>

    /// Headers a page may read beyond the standard ones.
    static let exposedHeaders = "X-Nachet-Picture-Id, X-Nachet-Picture-Created, X-Nachet-Session-Created, X-Nachet-Error, Retry-After"
    /// Headers a page may send.
    static let allowedHeaders = "Authorization, Content-Type, X-Content-SHA256, Access-Control-Allow-Origin"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], allowedOrigins.contains(origin) else {
            return try await next(request, context)
        }
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            var headers = Self.headers(for: origin)
            headers[.accessControlAllowMethods] = "GET, POST, OPTIONS"
            headers[.accessControlAllowHeaders] = Self.allowedHeaders
            headers[.accessControlMaxAge] = "86400"
            return Response(status: .noContent, headers: headers)
        }
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            response = try error.response(from: request, context: context)
        }
        for field in Self.headers(for: origin) { response.headers[field.name] = field.value }
        response.headers[.accessControlExposeHeaders] = Self.exposedHeaders
        return response
    }

    private static func headers(for origin: String) -> HTTPFields {
        [.accessControlAllowOrigin: origin, .accessControlAllowCredentials: "true", .vary: "Origin"]
    }
}
