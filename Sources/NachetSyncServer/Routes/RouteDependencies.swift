import Foundation
import Hummingbird
import Logging
import NachetSync

/// What the routes share: the datastore, where upload bodies go, and the
/// limits.
struct RouteDependencies: Sendable {
    let datastore: ServerDatastore
    let uploads: UploadReceiver
    /// The largest JSON request body, in bytes (`NACHET_MAX_CONTENT_LENGTH`).
    let maximumContentLength: Int
    /// JSON request bodies in memory at once: each is read whole (an
    /// upload's base64 image then decoded), so a burst of large uploads (the
    /// web UI sends a whole folder at once) waits here instead of growing
    /// memory. A body takes its share as its bytes arrive.
    let jsonBodies: MemoryBudget
    /// Pieces of `/get-picture` answers being read and encoded at once.
    let downloads: MemoryBudget
    let logger: Logger

    var intake: PictureIntake { PictureIntake(datastore: datastore, logger: logger) }

    /// The request's JSON body (``JSONRequestBody/read(_:limit:memory:action:)``).
    func json(_ request: Request, action: NachetAction) async throws -> JSONRequestBody {
        try await JSONRequestBody.read(request, limit: maximumContentLength, memory: jsonBodies, action: action)
    }

    /// The caller of a request past authentication.
    func caller(_ context: NachetRequestContext) throws -> Caller {
        guard let caller = context.caller else { throw NachetAPIError.unauthorized("this route needs a bearer token") }
        return caller
    }
}

/// Runs a route's work, turning every failure that is not already an answer
/// into Nachet's `["Datastore Error <doing> : <reason>"]`, in words that hold
/// nothing of the server's files or connections
/// (``NachetAPIError/failure(_:_:requestID:)``); the failure itself goes
/// whole to serve's log, with the request's id the answer gives.
func answering<Result>(_ action: NachetAction, context: NachetRequestContext, _ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error as NachetAPIError {
        throw error
    } catch {
        let answer = NachetAPIError.failure(action, error, requestID: context.id)
        context.exchange.datastoreFailure = answer.code
        context.logger.error("\(action.doing) failed", metadata: ["error": "\(error)", "answered": "\(answer.message)"])
        throw answer
    }
}
