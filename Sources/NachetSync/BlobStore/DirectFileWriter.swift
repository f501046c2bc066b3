import CNachetShims
import Glibc

/// Writes a new file with `O_DIRECT` where the filesystem allows it: the
/// bytes go from an aligned buffer to the disk without being copied into the
/// page cache.
///
/// Why: blobs are written once and not read again soon, and on these
/// machines copying into fresh page-cache memory is the slowest step of a
/// local put (measured: about half the agent's CPU, and 0.4–2 GB/s from one
/// minute to the next, where direct writes kept 2 GB/s). It also leaves the
/// lab PC's page cache to other programs. Filesystems that refuse
/// `O_DIRECT` (tmpfs before Linux 6.6, some network filesystems) get
/// ordinary writes. The caller still fsyncs: that makes the file's size
/// and the disk's own cache durable.
final class DirectFileWriter {
    /// Direct I/O wants buffers, offsets and lengths in multiples of the
    /// device's logical block size; 4096 covers 512-byte and 4K disks.
    static let alignment = 4096
    static let bufferSize = 1 << 20

    let descriptor: Int32
    let path: String
    private(set) var isDirect: Bool
    private let buffer: UnsafeMutableRawBufferPointer
    private var filled = 0
    /// Bytes handed to ``append(_:)`` so far.
    private(set) var count: Int64 = 0

    /// Creates the file at `path`, which must not exist, as its user's
    /// only (0600): blobs are the lab's pictures.
    ///
    /// - Parameter expectedSize: The bytes about to be written, when known:
    ///   a small file gets a buffer its size, not ``bufferSize`` (a 1 MiB
    ///   buffer is a mapping of its own, and unmapping it interrupts every
    ///   core: two per picture were a tenth of the work of small pictures).
    init(creating path: String, expectedSize: Int64? = nil) throws(BlobStoreError) {
        let flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC
        var descriptor = open(path, flags | nachet_o_direct(), PrivateFiles.fileMode)
        var isDirect = descriptor >= 0
        if descriptor < 0 && errno == EINVAL {
            // Refused for O_DIRECT, perhaps after creating the file: the
            // name is the caller's own temporary one.
            unlink(path)
            descriptor = open(path, flags, PrivateFiles.fileMode)
            isDirect = false
        }
        guard descriptor >= 0 else { throw LocalBlobStore.error(errno, doing: "create", path) }
        self.descriptor = descriptor
        self.path = path
        self.isDirect = isDirect
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.bufferSize(for: expectedSize), alignment: Self.alignment)
    }

    /// ``bufferSize``, or less for a smaller file: whole blocks, at least one.
    static func bufferSize(for expectedSize: Int64?) -> Int {
        guard let expectedSize, expectedSize < Int64(bufferSize) else { return bufferSize }
        return max(alignment, (Int(expectedSize) + alignment - 1) / alignment * alignment)
    }

    deinit {
        buffer.deallocate()
        close(descriptor)
    }

    /// Adds `bytes` to the file.
    func append(_ bytes: UnsafeRawBufferPointer) throws(BlobStoreError) {
        var rest = bytes
        while !rest.isEmpty {
            let taken = min(rest.count, buffer.count - filled)
            UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<(filled + taken)]).copyMemory(
                from: UnsafeRawBufferPointer(rebasing: rest[..<taken]))
            filled += taken
            count += Int64(taken)
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            if filled == buffer.count { try flush(length: filled) }
        }
    }

    /// Writes what is left and syncs the file.
    /// - Returns: The file's size.
    func finish() throws(BlobStoreError) -> Int64 {
        if filled > 0 {
            // A direct write is whole blocks: the last one is padded with
            // zeros, then the file is cut back to its size.
            let length = isDirect ? (filled + Self.alignment - 1) / Self.alignment * Self.alignment : filled
            UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<length]).initializeMemory(as: UInt8.self, repeating: 0)
            try flush(length: length)
            if length != filled {
                guard ftruncate(descriptor, off_t(count)) == 0 else { throw LocalBlobStore.error(errno, doing: "write", path) }
            }
        }
        guard fsync(descriptor) == 0 else { throw LocalBlobStore.error(errno, doing: "write", path) }
        return count
    }

    /// Writes the first `length` bytes of the buffer and empties it.
    private func flush(length: Int) throws(BlobStoreError) {
        var offset = 0
        while offset < length {
            let written = write(descriptor, buffer.baseAddress! + offset, length - offset)
            if written < 0 {
                if errno == EINTR { continue }
                if errno == EINVAL && isDirect && offset == 0 {
                    // The device wants a larger alignment than assumed:
                    // ordinary writes from here on.
                    _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~nachet_o_direct())
                    isDirect = false
                    continue
                }
                throw LocalBlobStore.error(errno, doing: "write", path)
            }
            offset += written
        }
        filled = 0
    }
}
