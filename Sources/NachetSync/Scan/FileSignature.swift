import Foundation
import Glibc

/// What `stat` says of a file: enough to tell, without reading it, whether a
/// file changed since it was last hashed.
package struct FileSignature: Hashable, Sendable {
    /// Size in bytes.
    package var size: Int64
    /// Modification time in nanoseconds since the epoch.
    package var modificationTimeNanoseconds: Int64
    /// The inode number; a file replaced by another of the same size and time
    /// (a copy tool's rename) has a new one.
    package var inode: UInt64

    package init(size: Int64, modificationTimeNanoseconds: Int64, inode: UInt64) {
        self.size = size
        self.modificationTimeNanoseconds = modificationTimeNanoseconds
        self.inode = inode
    }

    init(_ status: stat) {
        size = Int64(status.st_size)
        modificationTimeNanoseconds = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
        inode = UInt64(status.st_ino)
    }
}
