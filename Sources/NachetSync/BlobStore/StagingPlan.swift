/// How a destination wants a picture's content handed in, decided before
/// the file is read, so that its one reader (``FingerprintedContent``)
/// computes everything the destination needs in that read.
package struct StagingPlan: Sendable, Equatable {
    /// The size of the pieces whose CRC-64 the store sends with them
    /// (Azure: the single put, or each block), computed while the file is
    /// hashed so the store hashes nothing again; `nil`: none.
    package var pieceSize: Int?
    /// Whether staging sends the bytes over the network (Azure's blocks,
    /// Nachet's API): a copy of a picture the set holds is then looked for
    /// by its hash first, so it is never sent.
    package var sendsBytes: Bool
    /// Files up to this size are read into memory whole and sent from
    /// there, so they are read once; 0 for a store that writes a file's
    /// bytes into a staging file of its own as they are read.
    package var keepsInMemoryUpTo: Int

    package init(pieceSize: Int? = nil, sendsBytes: Bool, keepsInMemoryUpTo: Int = 0) {
        self.pieceSize = pieceSize
        self.sendsBytes = sendsBytes
        self.keepsInMemoryUpTo = keepsInMemoryUpTo
    }

    /// Files up to 4 MiB are read once into memory by destinations that send
    /// bytes from memory (``StagedBlob`` in memory, Azure's single put, the
    /// API): the memory they hold at once is bounded by the reader.
    package static let keptFileSize = 4 << 20
}
