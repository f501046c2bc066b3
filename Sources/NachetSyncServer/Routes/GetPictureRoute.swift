import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NachetSync

/// `POST /get-picture` with `{"container_name": "<user id>", "picture_id":
/// "<uuid>"}` → `{"picture_id", "inference": null, "image":
/// "data:image/tiff;base64,…"}`: the picture's blob, labelled TIFF whatever
/// its real type, as Nachet's backend labels it.
///
/// The blob is read and encoded piece by piece while the answer is sent
/// (its length is known beforehand), so memory stays flat whatever the
/// picture's size.
struct GetPictureRoute {
    let dependencies: RouteDependencies

    /// Bytes of the blob read and encoded at a time: a multiple of 3, so
    /// each piece's base64 joins the next without padding.
    static let pieceSize = 3 << 20

    func respond(_ request: Request, context: NachetRequestContext) async throws -> Response {
        let action = NachetAction.retrievingPicture
        let caller = try dependencies.caller(context)
        let body = try await JSONRequestBody.read(request, limit: dependencies.maximumContentLength, action: action)
        guard let container = try body.text("container_name", action: action), let pictureText = try body.text("picture_id", action: action)
        else {
            throw NachetAPIError.request(action, "Missing container name")
        }
        context.exchange.user = container
        let datastore = dependencies.datastore
        return try await answering(action, context: context) {
            let owner = try await UserAccess.user(id: container, caller: caller, datastore: datastore, action: action)
            guard let pictureID = UUID(uuidString: pictureText), let picture = try await datastore.catalogue.picture(id: pictureID) else {
                throw NachetAPIError.datastore(action, "Picture not found based on the given id: \(pictureText)", code: .unknownPicture)
            }
            guard let set = try await datastore.pictureSet(id: picture.setID), set.ownerID == owner.id else {
                throw NachetAPIError.datastore(
                    action, "User can't access this picture, user uuid :\(container), picture : \(pictureText)", code: .unknownPicture)
            }
            let blob = BlobLayout.picture(picture.id, folder: set.folderName, user: owner.id)
            guard let properties = try await datastore.blobStore.properties(of: blob) else {
                throw NachetAPIError.datastore(
                    action, "the picture's blob \(blob.name) is missing from the blob store", code: .datastoreFailed)
            }
            return Self.answer(pictureID: picture.id, blob: blob, size: properties.contentLength, from: datastore.blobStore)
        }
    }

    /// The JSON answer, its image read from `store` and encoded as it is sent.
    static func answer(pictureID: UUID, blob: BlobReference, size: Int64, from store: any BlobStore) -> Response {
        let head = ByteBuffer(string: "{\"picture_id\":\"\(pictureID.lowercased)\",\"inference\":null,\"image\":\"data:image/tiff;base64,")
        let tail = ByteBuffer(string: "\"}")
        let encodedLength = Int((size + 2) / 3 * 4)
        let body = ResponseBody(contentLength: head.readableBytes + encodedLength + tail.readableBytes) { writer in
            try await writer.write(head)
            var offset: Int64 = 0
            while offset < size {
                let length = Int(min(Int64(pieceSize), size - offset))
                guard let piece = try await store.read(blob, offset: offset, length: length), piece.readableBytes == length else {
                    throw BlobStoreError(.failed, "the blob \(blob) changed while it was sent")
                }
                try await writer.write(ByteBuffer(bytes: Data(piece.readableBytesView).base64EncodedData()))
                offset += Int64(length)
            }
            try await writer.write(tail)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }
}
