import Foundation
import Hummingbird
import NIOCore
import NachetSync

/// An uploaded image as the server received it, with the SHA-256 of every
/// byte: held in memory when it is small (stored from there, so no file is
/// written but the blob's own), or spooled to a file (``SpooledImage``).
struct ReceivedImage: Sendable {
    /// Where the bytes are.
    enum Bytes: Sendable {
        case memory(ByteBuffer)
        case spooled(SpooledImage)
    }

    let bytes: Bytes
    /// The SHA-256 of every byte received.
    let sha256: ContentHash

    /// How many bytes were received.
    var size: Int64 {
        switch bytes {
        case .memory(let buffer): Int64(buffer.readableBytes)
        case .spooled(let image): image.size
        }
    }

    /// Bytes received whole, hashed now (on the blocking pool when they are
    /// many, so a request's hashing never holds up the others).
    static func hashing(_ buffer: ByteBuffer) async -> ReceivedImage {
        let hash = { @Sendable in
            let digest = SHA256Digest()
            buffer.withUnsafeReadableBytes { digest.update($0) }
            return digest.finish()
        }
        let sha256 = buffer.readableBytes <= 256 << 10 ? hash() : await BlockingWork.run(hash)
        return ReceivedImage(bytes: .memory(buffer), sha256: sha256)
    }

    /// Streams `body` to a new file of `spool`, hashing it on the way.
    static func spooling(_ body: RequestBody, to spool: SpoolDirectory) async throws -> ReceivedImage {
        let image = try spool.newImage()
        for try await buffer in body { try await image.append(buffer) }
        return ReceivedImage(bytes: .spooled(image), sha256: try await image.finish())
    }

    /// Writes bytes already in memory (a decoded data URL) to a new file of
    /// `spool`, hashing them on the way.
    static func spooling(_ data: Data, to spool: SpoolDirectory) async throws -> ReceivedImage {
        let image = try spool.newImage()
        try await image.append(data)
        return ReceivedImage(bytes: .spooled(image), sha256: try await image.finish())
    }
}
