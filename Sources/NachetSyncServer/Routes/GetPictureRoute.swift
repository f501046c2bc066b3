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
/// (its length is known beforehand), each piece once the client has taken
/// the one before: an answer holds one piece in memory whatever the
/// picture's size and however slowly its client reads (a client that
/// stops reading is cut by the minimum rate). Pieces being read and encoded
/// take their share of ``RouteDependencies/downloads``.
struct GetPictureRoute {
    let dependencies: RouteDependencies

    /// Bytes of the blob read at a time: 192 KiB, so that a 20 MB picture
    /// in Azure is read in about a hundred requests.
    static let pieceSize = 16 * sliceSize
    /// Bytes of the blob encoded into one buffer of the answer: 12 KiB, a
    /// multiple of 3 (each slice's base64 joins the next without padding),
    /// 16 KiB once encoded. Each slice is a buffer of its own, freed once
    /// the client has taken it, so an answer that waits for its client
    /// holds one piece's slices (256 KiB) and no more; and the bytes a
    /// client takes are counted as it takes them (``ConnectionPaceHandler``).
    static let sliceSize = 12 << 10
    /// Memory a piece takes while read and encoded: its bytes (in a buffer
    /// of the next power of two) and their base64 text.
    static let pieceMemory = 2 * (pieceSize / 3 * 4)

    func respond(_ request: Request, context: NachetRequestContext) async throws -> Response {
        let action = NachetAction.retrievingPicture
        let caller = try dependencies.caller(context)
        let body = try await dependencies.json(request, action: action)
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
            return Self.answer(
                pictureID: picture.id, blob: blob, size: properties.contentLength, from: datastore.blobStore,
                memory: dependencies.downloads, eventLoop: context.eventLoop)
        }
    }

    /// The JSON answer, its image read from `store` and encoded as it is
    /// sent, each piece holding its share of `memory` until the
    /// connection's `eventLoop` has taken it.
    static func answer(
        pictureID: UUID, blob: BlobReference, size: Int64, from store: any BlobStore, memory: MemoryBudget, eventLoop: any EventLoop
    ) -> Response {
        let head = ByteBuffer(string: "{\"picture_id\":\"\(pictureID.lowercased)\",\"inference\":null,\"image\":\"data:image/tiff;base64,")
        let tail = ByteBuffer(string: "\"}")
        let encodedLength = Int((size + 2) / 3 * 4)
        let body = ResponseBody(contentLength: head.readableBytes + encodedLength + tail.readableBytes) { writer in
            try await writer.write(head)
            var offset: Int64 = 0
            while offset < size {
                // An empty write returns once the connection can take more:
                // the client has taken (nearly) all of the previous piece.
                try await writer.write(ByteBuffer())
                let length = Int(min(Int64(pieceSize), size - offset))
                try await memory.holding(pieceMemory) {
                    guard let piece = try await store.read(blob, offset: offset, length: length), piece.readableBytes == length else {
                        throw BlobStoreError(.failed, "the blob \(blob) changed while it was sent")
                    }
                    try await writer.write(contentsOf: base64Slices(of: piece))
                    // A write is queued for the event loop, which may lag
                    // behind many answers: until it has taken the piece (to
                    // the socket, or the connection's buffer, which the wait
                    // above bounds), the piece is the budget's, and the
                    // connection's writability, read above, is up to date.
                    try await eventLoop.submit {}.get()
                }
                offset += Int64(length)
            }
            try await writer.write(tail)
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: body)
    }

    /// The base64 text of `piece`, in buffers of its own for each
    /// ``sliceSize`` bytes.
    private static func base64Slices(of piece: ByteBuffer) -> [ByteBuffer] {
        piece.withUnsafeReadableBytes { bytes in
            stride(from: 0, to: bytes.count, by: sliceSize).map { start in
                let slice = UnsafeRawBufferPointer(rebasing: bytes[start..<min(bytes.count, start + sliceSize)])
                return ByteBuffer(bytes: Data(slice).base64EncodedData())
            }
        }
    }
}
