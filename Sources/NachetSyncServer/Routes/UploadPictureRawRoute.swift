import Foundation
import HTTPTypes
import Hummingbird
import NachetSync

/// `POST /upload-picture-raw?container_name=…&session_id=…&seed_id=…|seed_name=…
/// &zoom_level=…&nb_seeds=…&file_name=…&description=…` (an extension), the
/// body the image's bytes as they are, `X-Content-SHA256: <hex>` required →
/// `{"picture_id": "<uuid>", "created": true|false}`.
///
/// For images of any size: the fields are checked before a byte of the
/// body is read, then the body is hashed as it arrives, kept in memory when
/// small, else streamed to a spool file (memory stays flat whatever its
/// size; ``UploadReceiver``); its SHA-256 is checked against the header
/// (400 and nothing stored when they differ), and the image is stored like
/// ``UploadPictureRoute``'s images, once per set.
struct UploadPictureRawRoute {
    let dependencies: RouteDependencies

    func respond(_ request: Request, context: NachetRequestContext) async throws -> Response {
        let action = NachetAction.uploadingPicture
        let caller = try dependencies.caller(context)
        var fields = try UploadFields(queryPairs: request.uri.queryParameters, action: action)
        guard fields.hasRequiredFields else {
            throw NachetAPIError.request(action, "missing request arguments: either seed_name, session_id or container_name is missing")
        }
        guard let sha256 = request.headers[.contentSHA256], !sha256.isEmpty else {
            throw NachetAPIError.request(action, "the header X-Content-SHA256 (the image's SHA-256, in hexadecimal) is required")
        }
        fields.sha256 = sha256
        context.exchange.user = fields.containerName
        return try await answering(action, context: context) {
            let target = try await UploadTarget.resolve(fields, caller: caller, datastore: dependencies.datastore, action: action)
            let declared = request.headers[.contentLength].flatMap(Int.init)
            let stored = try await dependencies.uploads.receive(request.body, declaredSize: declared) { image in
                guard image.size > 0 else { throw NachetAPIError.request(action, "the image is empty") }
                return try await dependencies.intake.store(image, as: target, action: action, noting: context.exchange)
            }
            return JSONResponse.make(
                NachetWire.RawUploadAnswer(picture_id: stored.pictureID?.lowercased ?? "", created: stored.isNew), headers: PictureHeaders.fields(for: stored))
        }
    }
}
