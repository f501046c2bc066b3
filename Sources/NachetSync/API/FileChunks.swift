import NIOCore

/// An open file's bytes as a sequence of buffers read one at a time, for a
/// request body streamed with back-pressure: AsyncHTTPClient asks for the
/// next buffer only once the last one is on its way, so a file of any size
/// is sent holding ``chunkSize`` bytes or so. Each request for the next
/// buffer is noted in ``progress``: how a server that stops taking the
/// body is found.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer

    /// The size of each read.
    static let chunkSize = 1 << 20

    let file: SourceFile
    let size: Int64
    let progress: UploadProgress

    struct AsyncIterator: AsyncIteratorProtocol {
        let file: SourceFile
        let size: Int64
        let progress: UploadProgress
        var offset: Int64 = 0

        /// The next piece, read on the blocking pool (``BlockingWork``).
        /// - Throws: ``BlobStoreError`` when the file shrank or cannot be read.
        mutating func next() async throws -> ByteBuffer? {
            progress.noteTaken()
            guard offset < size else {
                progress.noteComplete()
                return nil
            }
            let length = Int(Swift.min(Int64(FileChunks.chunkSize), size - offset))
            let (file, start) = (self.file, offset)
            let buffer = try await BlockingWork.run { () throws(BlobStoreError) in
                try SourceBytes.read(file.descriptor, path: file.path, offset: start, length: length)
            }
            offset += Int64(length)
            // Reading the file is this side's time, not the server's.
            progress.noteTaken()
            return buffer
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(file: file, size: size, progress: progress)
    }
}
