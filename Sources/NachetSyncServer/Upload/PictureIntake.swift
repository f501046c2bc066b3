import Foundation
import Logging
import NIOCore
import NachetSync

/// Stores an uploaded image, in memory or spooled to a file, the way the
/// agent stores an image it finds in a drop folder: through
/// ``DatastoreDestination``, so the rows, blob, tags and folder marker are
/// the agent's, each picture is stored once per set by its SHA-256 (a
/// picture the set holds is answered with its id, never stored twice), and
/// a crash anywhere leaves no orphan.
struct PictureIntake: Sendable {
    let datastore: ServerDatastore
    let logger: Logger

    /// Stores `image` as `target` says, once its bytes are judged an
    /// image (``ImageContent``), as the agent judges a file; notes the
    /// picture in `exchange` (the access log, metrics and fleet count it).
    ///
    /// - Throws: 400 `sha256-mismatch` when the request gave a SHA-256 the
    ///   bytes do not have, 400 `not-an-image` when they are no image of a
    ///   format stored or an unfinished one (nothing is stored either way);
    ///   the datastore's errors.
    func store(_ image: ReceivedImage, as target: UploadTarget, action: NachetAction, noting exchange: ExchangeRecord) async throws -> StoredPicture {
        if let expected = target.expectedSHA256, expected != image.sha256 {
            throw NachetAPIError.request(
                action, "the image's SHA-256 is \(image.sha256.hex), not the sha256 given (\(expected.hex)); nothing was stored",
                code: .sha256Mismatch)
        }
        // The bytes as received, hashed as they arrived: handed to the store
        // as they are, hashed no second time (a spooled file is taken over,
        // not copied, by a store that can).
        let content: FingerprintedContent
        switch image.bytes {
        case .memory(let bytes):
            try Self.refuseUnlessImage(await BlockingWork.run { bytes.withUnsafeReadableBytes { ImageContent.verdict(bytes: $0) } }, action)
            content = FingerprintedContent(sha256: image.sha256, size: image.size, bytes: .memory(bytes))
        case .spooled(let spooled):
            let file = try await BlockingWork.run { () throws(SourceFileError) in try SourceFile.open(path: spooled.path) }
            try Self.refuseUnlessImage(
                await BlockingWork.run { ImageContent.verdict(descriptor: file.descriptor, size: file.signature.size) }, action)
            content = FingerprintedContent(sha256: image.sha256, size: file.signature.size, bytes: .privateFile(file))
        }
        try await datastore.prepareFolder(of: target.set)
        let stored = try await datastore.destination.store(content, as: target.draft, in: target.set) { _ in }
        exchange.picture = ExchangeRecord.StoredUpload(isNew: stored.isNew, bytes: image.size)
        logger.debug(
            stored.isNew ? "picture stored" : "picture already in the set",
            metadata: [
                "picture_id": "\(stored.pictureID?.lowercased ?? "-")", "picture_set_id": "\(target.set.id.lowercased)",
                "sha256": "\(stored.sha256.hex)", "bytes": "\(image.size)",
            ])
        return stored
    }

    /// Throws 400 `not-an-image` unless `verdict` is a whole image.
    private static func refuseUnlessImage(_ verdict: ImageContent.Verdict, _ action: NachetAction) throws(NachetAPIError) {
        guard let problem = verdict.problem else { return }
        throw NachetAPIError.request(
            action, "not an image: \(problem); send the image file itself, whole (\(ImageFormat.listed)); nothing was stored",
            code: .notAnImage)
    }
}
