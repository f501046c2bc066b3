import Foundation
import Hummingbird
import NachetSync

/// `POST /get-user-id` with `{"email": "…"}` → `{"user_id": "<uuid>"}`.
///
/// Nachet's backend reads the e-mail from its login cookie in production
/// and from the body with `NACHET_ENV=local`; here the body always gives it
/// and the bearer token says who may ask: a token gets the ids of the users
/// it may act for only (403 for others).
struct GetUserIDRoute {
    let dependencies: RouteDependencies

    func respond(_ request: Request, context: NachetRequestContext) async throws -> Response {
        let caller = try dependencies.caller(context)
        let body = try await dependencies.json(request, action: .retrievingUserID(email: nil))
        let email = try body.text("email", action: .retrievingUserID(email: nil))
        let action = NachetAction.retrievingUserID(email: email)
        guard let email else { throw NachetAPIError.request(action, "Missing email") }
        context.exchange.user = email
        guard caller.mayActFor(email: email) else {
            throw NachetAPIError.forbidden(action, "this token may not act for \(email)")
        }
        return try await answering(action, context: context) {
            guard let user = try await dependencies.datastore.directory.user(email: email) else {
                throw NachetAPIError.datastore(action, "User not found", code: .unknownUser)
            }
            return JSONResponse.make(["user_id": user.id.lowercased])
        }
    }
}
