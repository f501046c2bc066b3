import NIOCore

/// An open file's bytes as a sequence of buffers read one at a time, for a
/// request body streamed with back-pressure: AsyncHTTPClient asks for the
/// next buffer only once the last one is on its way, so a file of any size
/// is sent holding ``chunkSize`` bytes or so.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// The size of each read.
    static let chunkSize = 1 << 20

    let file: SourceFile
    let size: Int64

    struct AsyncIterator: AsyncIteratorProtocol {
        let file: SourceFile
        let size: Int64
        var offset: Int64 = 0

        /// The next piece, read on the blocking pool (``BlockingWork``).
        /// - Throws: ``BlobStoreError`` when the file shrank or cannot be read.
        mutating func next() async throws -> ByteBuffer? {
            guard offset < size else { return nil }
            let length = Int(Swift.min(Int64(FileChunks.chunkSize), size - offset))
            let (file, start) = (self.file, offset)
            let buffer = try await BlockingWork.run { () throws(BlobStoreError) in
                try SourceBytes.read(file.descriptor, path: file.path, offset: start, length: length)
            }
            offset += Int64(length)
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(file: file, size: size)
    }
}
