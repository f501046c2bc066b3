import Foundation
import Glibc
import NIOCore

/// Reads upload bodies straight into the `ByteBuffer` AsyncHTTPClient sends,
/// sized exactly, so a body exists once in memory from disk to socket (and
/// a retry sends the same buffer again, copy-on-write, without a copy).
enum SourceBytes {
    /// `length` bytes of the open file `descriptor` from `offset`.
    ///
    /// - Throws: ``BlobStoreError`` `.contentChanged` when the file ends
    ///   before `offset + length` (it shrank while being stored), else
    ///   `.sourceUnreadable`.
    static func read(_ descriptor: Int32, path: String, offset: Int64, length: Int) throws(BlobStoreError) -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: length)
        var done = 0
        var failed: Int32?
        while done < length, failed == nil {
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: length - done) { target in
                let count = pread(descriptor, target.baseAddress!, length - done, off_t(offset) + off_t(done))
                if count < 0 {
                    if errno != EINTR { failed = errno }
                    return 0
                }
                if count == 0 { failed = EIO }
                done += count
                return count
            }
        }
        if let failed {
            if failed == EIO && done < length {
                throw BlobStoreError(
                    .contentChanged, "\(path) became shorter while it was being stored; it will be taken again once it stops changing")
            }
            throw BlobStoreError(.sourceUnreadable, "\(FileReadError(path: path, errno: failed))")
        }
        return buffer
    }
}

extension ContentMD5 {
    /// The base64 MD5 of the readable bytes of `buffer`.
    static func base64(_ buffer: ByteBuffer) -> String {
        buffer.withUnsafeReadableBytes { base64($0) }
    }
}

extension StorageCRC64 {
    /// The header's form of the CRC of the readable bytes of `buffer`.
    static func base64(_ buffer: ByteBuffer) -> String {
        buffer.withUnsafeReadableBytes { base64($0) }
    }
}
