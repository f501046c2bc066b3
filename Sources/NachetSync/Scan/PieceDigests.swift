/// The MD5 of each consecutive piece of a file, as a blob store sends it.
///
/// Computed in the same read as the file's SHA-256 (``FileContent/fingerprint(pieceSize:)``),
/// so the store does not read the file to hash it a second time: each piece
/// goes with its MD5, the service recomputes it, and bytes that differ from
/// the ones hashed (a file changed since, or damaged on the way) are refused.
public struct PieceDigests: Sendable, Hashable {
    /// The size of every piece but the last, which may be shorter.
    public var pieceSize: Int
    /// The bytes hashed; the pieces cover exactly these.
    public var byteCount: Int64
    /// The base64 MD5 of each piece, in order (`Content-MD5`'s form).
    public var md5: [String]

    public init(pieceSize: Int, byteCount: Int64, md5: [String]) {
        self.pieceSize = pieceSize
        self.byteCount = byteCount
        self.md5 = md5
    }

    /// Whether these are the digests of the bytes cut in pieces of `size`.
    public func areCut(in size: Int?) -> Bool {
        guard let size, size == pieceSize else { return false }
        return Int64(md5.count) == (byteCount + Int64(size) - 1) / Int64(size)
    }
}

/// Cuts a stream of bytes into pieces of a fixed size and digests each.
struct PieceHasher {
    let pieceSize: Int
    private let digest = StreamingDigest(.md5)
    private var filled = 0
    private var byteCount: Int64 = 0
    private var md5: [String] = []

    init(pieceSize: Int) {
        precondition(pieceSize > 0, "a piece holds at least one byte")
        self.pieceSize = pieceSize
    }

    /// Adds the next bytes of the stream.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        while !rest.isEmpty {
            let taken = min(rest.count, pieceSize - filled)
            digest.update(UnsafeRawBufferPointer(rebasing: rest[..<taken]))
            filled += taken
            byteCount += Int64(taken)
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            if filled == pieceSize { endPiece() }
        }
    }

    /// The digests of every piece, the last one ended where the stream did.
    mutating func finish() -> PieceDigests {
        if filled > 0 { endPiece() }
        return PieceDigests(pieceSize: pieceSize, byteCount: byteCount, md5: md5)
    }

    private mutating func endPiece() {
        md5.append(ContentMD5.base64(digest: digest.finish()))
        filled = 0
    }
}
