/// The checksum of each consecutive piece of a file, as a blob store sends it.
///
/// Computed in the same read as the file's SHA-256 (``FileContent/fingerprint(pieceSize:)``),
/// so the store does not read the file to hash it a second time: each piece
/// goes with its checksum, the service recomputes it, and bytes that differ
/// from the ones hashed (a file changed since, or damaged on the way) are
/// refused. The checksum is Azure Storage's CRC-64 (``StorageCRC64``).
package struct PieceDigests: Sendable, Hashable {
    /// The size of every piece but the last, which may be shorter.
    package var pieceSize: Int
    /// The bytes hashed; the pieces cover exactly these.
    package var byteCount: Int64
    /// The CRC-64 of each piece, in order, in `x-ms-content-crc64`'s form.
    package var crc64: [String]

    package init(pieceSize: Int, byteCount: Int64, crc64: [String]) {
        self.pieceSize = pieceSize
        self.byteCount = byteCount
        self.crc64 = crc64
    }

    /// Whether these are the checksums of the bytes cut in pieces of `size`.
    package func areCut(in size: Int?) -> Bool {
        guard let size, size == pieceSize else { return false }
        return Int64(crc64.count) == (byteCount + Int64(size) - 1) / Int64(size)
    }
}

/// Cuts a stream of bytes into pieces of a fixed size and checksums each.
struct PieceHasher {
    let pieceSize: Int
    private var crc = StorageCRC64()
    private var filled = 0
    private var byteCount: Int64 = 0
    private var checksums: [String] = []

    init(pieceSize: Int) {
        precondition(pieceSize > 0, "a piece holds at least one byte")
        self.pieceSize = pieceSize
    }

    /// Adds the next bytes of the stream.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        var rest = bytes
        while !rest.isEmpty {
            let taken = min(rest.count, pieceSize - filled)
            crc.update(UnsafeRawBufferPointer(rebasing: rest[..<taken]))
            filled += taken
            byteCount += Int64(taken)
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            if filled == pieceSize { endPiece() }
        }
    }

    /// The checksums of every piece, the last one ended where the stream did.
    mutating func finish() -> PieceDigests {
        if filled > 0 { endPiece() }
        return PieceDigests(pieceSize: pieceSize, byteCount: byteCount, crc64: checksums)
    }

    private mutating func endPiece() {
        checksums.append(crc.base64)
        crc = StorageCRC64()
        filled = 0
    }
}
