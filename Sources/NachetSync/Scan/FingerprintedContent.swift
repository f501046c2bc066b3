import Foundation
import NIOCore

/// A picture's bytes as their one reader left them: hashed once (SHA-256,
/// and the piece checksums the destination asked for in its
/// ``StagingPlan``), and where the bytes now are. Destinations and blob
/// stores receive this and hash nothing again.
///
/// The readers: ``read(_:plan:into:)`` for a file of a drop folder, and
/// `serve`, which hashes an upload as it arrives (in memory, or into its
/// spool).
package struct FingerprintedContent: Sendable {
    /// Where the bytes are.
    package enum Bytes: Sendable {
        /// Held in memory, read or received whole.
        case memory(ByteBuffer)
        /// Still in the file they were read from, opened once; a store reads
        /// them again through it (not hashing them) and checks it did not
        /// change since.
        case file(SourceFile)
        /// In a file the caller made and nobody else writes (`serve`'s
        /// spool): a store may take the file over instead of copying it.
        case privateFile(SourceFile)
        /// Written into the store's own staging file as they were read.
        case staged(StagingFile)
    }

    /// The SHA-256 of every byte.
    package var sha256: ContentHash
    /// How many bytes.
    package var size: Int64
    /// The checksum of each piece, when the plan asked for them.
    package var pieces: PieceDigests?
    package var bytes: Bytes

    package init(sha256: ContentHash, size: Int64, pieces: PieceDigests? = nil, bytes: Bytes) {
        self.sha256 = sha256
        self.size = size
        self.pieces = pieces
        self.bytes = bytes
    }

    /// Bytes in memory, hashed now (small documents such as a folder marker).
    package init(data: Data) {
        self.init(sha256: SHA256Digest.hash(data), size: Int64(data.count), bytes: .memory(ByteBuffer(bytes: data)))
    }

    /// Reads the open `file` once, on the calling thread (the caller runs
    /// it on the blocking pool): hashes it with SHA-256 and, when the plan
    /// asks, each piece with Azure's CRC-64; keeps it in memory when the
    /// plan keeps files of its size, else writes it into `staging` when
    /// given, as it is read.
    ///
    /// - Throws: ``FileChangedWhileReadError`` or ``FileReadError`` when the
    ///   file changed or cannot be read; ``BlobStoreError`` when the staging
    ///   file cannot be written.
    package static func read(_ file: SourceFile, plan: StagingPlan, into staging: StagingFile? = nil) throws -> FingerprintedContent {
        let fingerprint = try FileContent(file: file).fingerprint(
            pieceSize: plan.pieceSize, keepingUpTo: plan.keepsInMemoryUpTo, writingTo: staging.map { staging in { try staging.append($0) } })
        let bytes: Bytes =
            if let kept = fingerprint.bytes {
                .memory(kept)
            } else if let staging {
                .staged(staging)
            } else {
                .file(file)
            }
        return FingerprintedContent(sha256: fingerprint.sha256, size: fingerprint.signature.size, pieces: fingerprint.pieces, bytes: bytes)
    }
}
