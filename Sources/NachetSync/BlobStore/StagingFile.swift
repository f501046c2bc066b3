import Foundation
import Glibc

/// A file of a blob store's own where a picture's bytes are written as they
/// are read and hashed (the local store's `.uploads`), so a file is read
/// once; synced by ``finish()``. The file is removed when this goes,
/// whatever happened: a committed blob is a link of its own to the bytes.
///
/// Used by one task at a time: written while the file is read, then handed
/// to the store that made it (hence `@unchecked Sendable`).
package final class StagingFile: @unchecked Sendable {
    /// Where the bytes are.
    package let path: String
    private let writer: DirectFileWriter

    /// Creates an empty file at `path`, which must not exist.
    init(creating path: String, expectedSize: Int64?) throws(BlobStoreError) {
        self.path = path
        do {
            writer = try DirectFileWriter(creating: path, expectedSize: expectedSize)
        } catch {
            unlink(path)
            throw error
        }
    }

    deinit {
        unlink(path)
    }

    /// Adds the next bytes.
    package func append(_ bytes: UnsafeRawBufferPointer) throws(BlobStoreError) {
        try writer.append(bytes)
    }

    /// Adds bytes held in a `Data`.
    func append(_ data: Data) throws(BlobStoreError) {
        let failure: BlobStoreError? = data.withUnsafeBytes { bytes in
            do throws(BlobStoreError) {
                try append(bytes)
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Writes what is left and syncs the file.
    /// - Returns: Its size.
    func finish() throws(BlobStoreError) -> Int64 {
        try writer.finish()
    }
}
