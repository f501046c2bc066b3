import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import NachetSync

/// A refusal, answered as Nachet's backend answers every error: a JSON list
/// holding one message, `["API Error uploading picture : <reason>"]`, with
/// status 400 unless the extensions say otherwise (401 without a valid token,
/// 403 for a user or session the caller may not use).
///
/// Every refusal also carries `X-Nachet-Error: <code>`, a stable name of
/// what went wrong, so a client can tell a mistake in its request from a
/// datastore that may answer later without parsing the message.
struct NachetAPIError: HTTPResponseError, CustomStringConvertible {
    /// Stable names of what went wrong (the `X-Nachet-Error` header),
    /// shared with the agent's client.
    typealias Code = NachetWire.ErrorCode

    var status: HTTPResponse.Status
    var code: Code
    /// The whole message, as the list holds it.
    var message: String
    var headers: HTTPFields = [:]

    var description: String { message }

    /// Whether retrying the same request later may succeed by itself.
    var isTransient: Bool { code == .datastoreUnavailable }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.nachetError] = code.name
        if isTransient { fields[.retryAfter] = "5" }
        return JSONResponse.make([message], status: status, headers: fields)
    }
}

extension NachetAPIError {
    /// A mistake in the request: `["API Error <doing> : <reason>"]`.
    static func request(_ action: NachetAction, _ reason: String, code: Code = .badRequest) -> NachetAPIError {
        NachetAPIError(status: .badRequest, code: code, message: "API Error \(action.doing) : \(reason)")
    }

    /// A refusal from the datastore's side: `["Datastore Error <doing> : <reason>"]`.
    static func datastore(_ action: NachetAction, _ reason: String, code: Code) -> NachetAPIError {
        NachetAPIError(status: .badRequest, code: code, message: "Datastore Error \(action.doing) : \(reason)")
    }

    /// A user, session or picture the caller may not use (an extension: 403).
    static func forbidden(_ action: NachetAction, _ reason: String) -> NachetAPIError {
        NachetAPIError(status: .forbidden, code: .forbidden, message: "API Error \(action.doing) : \(reason)")
    }

    /// No valid bearer token (an extension: 401).
    ///
    /// - Parameter browser: Whether a browser asked (the fleet page): the
    ///   challenge is then HTTP Basic, so the browser asks for the token.
    static func unauthorized(_ reason: String, browser: Bool = false) -> NachetAPIError {
        NachetAPIError(
            status: .unauthorized, code: .unauthorized, message: "Unauthorized : \(reason)",
            headers: [.wwwAuthenticate: browser ? "Basic realm=\"nachet-sync fleet\", charset=\"UTF-8\"" : "Bearer realm=\"nachet-sync\""])
    }

    /// A valid token refused for this route: a lab PC's on the fleet page,
    /// an administrator's elsewhere (an extension: 403).
    static func forbiddenToken(_ reason: String) -> NachetAPIError {
        NachetAPIError(status: .forbidden, code: .forbidden, message: "Forbidden : \(reason)")
    }

    /// A failure of the catalogue or blob store while doing `action`, in
    /// words that hold nothing of the server's files, hosts or settings (a
    /// blob store's error names its folder; SQLite's, the catalogue's
    /// path): said by kind, with where to look. A store that cannot be
    /// reached says so, to be retried. The whole error goes to serve's log
    /// (``answering(_:context:_:)``), under `requestID`. The connection's
    /// own failures are answered as ``connectionFailure(_:_:)`` says.
    static func failure(_ action: NachetAction, _ error: any Error, requestID: String) -> NachetAPIError {
        if let failure = connectionFailure(action, error) { return failure }
        if let error = error as? CatalogueError, error.code == .ambiguousUser {
            // Names e-mails and user ids only, for the caller to act on.
            return .datastore(action, error.message, code: .ambiguousUser)
        }
        let (reason, transient): (String, Bool) =
            switch error {
            case let error as CatalogueError: (catalogueWords(error.code), error.code == .unavailable)
            case let error as BlobStoreError: (blobStoreWords(error.code), error.code == .unavailable)
            case let error as SyncRunError: (error.isTransient ? "the datastore failed, try again later" : "the datastore failed", error.isTransient)
            default: ("the server failed", false)
            }
        return .datastore(
            action, reason + "; serve's log has the cause (request \(requestID))", code: transient ? .datastoreUnavailable : .datastoreFailed)
    }

    /// The request's own failures, not the datastore's: an answer already
    /// made, a body too slow, a connection closed, malformed HTTP, each in
    /// words (``ErrorWording``), never a library's type name; `nil` for
    /// any other error.
    static func connectionFailure(_ action: NachetAction, _ error: any Error) -> NachetAPIError? {
        switch error {
        case let error as NachetAPIError: error
        case let error as SlowClientError: .slow(action, error)
        case is ChannelError, is HTTPParserError, is NIOTooManyBytesError, is CancellationError: .request(action, ErrorWording.words(for: error))
        default: nil
        }
    }

    private static func catalogueWords(_ code: CatalogueError.Code) -> String {
        switch code {
        case .unavailable: "the catalogue cannot be reached, try again later"
        case .misconfigured: "the catalogue cannot be used as the server is set up"
        case .writeFailed: "the catalogue refused the write"
        case .notFound: "a record the request needs is gone from the catalogue"
        default: "the catalogue failed"
        }
    }

    private static func blobStoreWords(_ code: BlobStoreError.Code) -> String {
        switch code {
        case .unavailable: "the blob store cannot be reached, try again later"
        case .denied: "the blob store refused the write"
        case .full: "the blob store is full"
        case .contentChanged: "the image changed while it was stored, send it again"
        case .sourceUnreadable: "the image received could not be read back"
        default: "the blob store or the upload spool failed"
        }
    }
}

/// What a route was doing, in the words Nachet's backend uses in its error
/// messages ("API Error uploading picture : …").
struct NachetAction: Sendable {
    let doing: String

    static func retrievingUserID(email: String?) -> NachetAction {
        NachetAction(doing: "retrieving user id for email \(email ?? "None")")
    }
    static let retrievingSeeds = NachetAction(doing: "retrieving seeds")
    static let initiatingBatchUpload = NachetAction(doing: "initiating batch upload")
    static let uploadingPicture = NachetAction(doing: "uploading picture")
    static let retrievingDirectories = NachetAction(doing: "retrieving user directories")
    static let retrievingPicture = NachetAction(doing: "retrieving the picture")
    static let receivingReport = NachetAction(doing: "receiving the agent's report")
}

extension HTTPField.Name {
    /// The stable code of a refusal (``NachetAPIError/Code``).
    static let nachetError = known(NachetWire.Header.error)
    /// The picture an upload stored or found.
    static let nachetPictureID = known(NachetWire.Header.pictureID)
    /// `true` when an upload stored a new picture, `false` when the set held those bytes.
    static let nachetPictureCreated = known(NachetWire.Header.pictureCreated)
    /// `true` when `/new-batch-import` made the set, `false` when the user had it.
    static let nachetSessionCreated = known(NachetWire.Header.sessionCreated)
    /// The SHA-256 of a raw upload's body, in hexadecimal.
    static let contentSHA256 = known(NachetWire.Header.contentSHA256)

    /// The header `name`, which is one: the names given are written in
    /// letters and dashes only, which the initialiser always accepts.
    static func known(_ name: String) -> HTTPField.Name {
        guard let field = HTTPField.Name(name) else { preconditionFailure("\(name) is not a valid header name") }
        return field
    }
}
