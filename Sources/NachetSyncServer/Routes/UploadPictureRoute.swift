import Foundation
import HTTPTypes
import Hummingbird
import NachetSync

/// `POST /upload-picture` with `{"container_name", "session_id", "seed_id"
/// and/or "seed_name", "zoom_level", "nb_seeds", "image": "data:…;base64,…"}`
/// → `[true]`: one picture of the session's set.
///
/// Extensions, which an old client simply does not send:
/// - `sha256`: the image's SHA-256; bytes that hash otherwise are refused
///   (400, `X-Nachet-Error: sha256-mismatch`) and nothing is stored;
/// - `file_name`, `description`: kept in the picture's document;
/// - the answer's headers `X-Nachet-Picture-Id` and
///   `X-Nachet-Picture-Created: true|false`: a picture the set already
///   holds (same bytes) is answered with its id and `false`, never stored
///   twice, with or without `sha256`.
///
/// The request keeps Nachet's size limit (`NACHET_MAX_CONTENT_LENGTH`,
/// 16 MiB by default); larger images go to ``UploadPictureRawRoute``.
struct UploadPictureRoute {
    let dependencies: RouteDependencies

    func respond(_ request: Request, context: NachetRequestContext) async throws -> Response {
        let action = NachetAction.uploadingPicture
        let caller = try dependencies.caller(context)
        // The body's bytes hold their share of the memory for JSON bodies
        // until the image decoded from them is stored.
        let stored = try await JSONRequestBody.reading(
            request, limit: dependencies.maximumContentLength, memory: dependencies.jsonBodies, action: action
        ) { body in
            let fields = try UploadFields(json: body, action: action)
            guard fields.hasRequiredFields, let text = try body.text("image", action: action) else {
                throw NachetAPIError.request(
                    action, "missing request arguments: either seed_name, session_id, container_name or image is missing")
            }
            context.exchange.user = fields.containerName
            let target = try await answering(action, context: context) {
                try await UploadTarget.resolve(fields, caller: caller, datastore: dependencies.datastore, action: action)
            }
            let bytes = try DataURL.bytes(of: text, action: action)
            return try await answering(action, context: context) {
                try await dependencies.intake.store(try await dependencies.uploads.receive(bytes), as: target, action: action, noting: context.exchange)
            }
        }
        return JSONResponse.make([true], headers: PictureHeaders.fields(for: stored))
    }
}

/// The headers that tell a client which picture an upload stored or found.
enum PictureHeaders {
    static func fields(for stored: StoredPicture) -> HTTPFields {
        [.nachetPictureID: stored.pictureID?.lowercased ?? "", .nachetPictureCreated: stored.isNew ? "true" : "false"]
    }
}
