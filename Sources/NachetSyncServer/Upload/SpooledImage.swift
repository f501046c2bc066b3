import Foundation
import Glibc
import NIOCore
import NachetSync

/// An uploaded image on its way to the blob store: written to a file of
/// the spool directory as it arrives, and hashed on the way, so a request
/// of any size holds at most ``flushSize`` bytes in memory.
///
/// The file is then stored like any image file the agent finds
/// (``DatastoreDestination/store(_:as:in:afterWrite:)``), and removed.
///
/// Not shared: one request writes it, one step after another (each write
/// runs on the blocking pool while the request awaits it), hence
/// `@unchecked Sendable`.
final class SpooledImage: @unchecked Sendable {
    /// Bytes gathered before one write to the file.
    static let flushSize = 1 << 20

    let path: String
    private var descriptor: Int32
    private let digest = SHA256Digest()
    private var pending: ByteBuffer
    /// Bytes received so far.
    private(set) var size: Int64 = 0
    /// Where the spool's use is counted, from creation to removal.
    private let metrics: ServeMetrics

    /// Creates an empty file in `directory`.
    init(in directory: String, metrics: ServeMetrics) throws {
        self.metrics = metrics
        path = directory + "/" + UUID().lowercased + ".upload"
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw BlobStoreError(
                .failed, "cannot create \(path): \(String(cString: strerror(errno))); check that the spool directory is writable")
        }
        pending = ByteBufferAllocator().buffer(capacity: Self.flushSize)
        metrics.spooled(files: 1, bytes: 0)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        unlink(path)
        metrics.spooled(files: -1, bytes: -size)
    }

    /// Adds the next bytes; writes them out once ``flushSize`` are gathered.
    func append(_ buffer: ByteBuffer) async throws {
        var buffer = buffer
        while buffer.readableBytes > 0 {
            let taken = min(buffer.readableBytes, Self.flushSize - pending.readableBytes)
            if var slice = buffer.readSlice(length: taken) { pending.writeBuffer(&slice) }
            if pending.readableBytes == Self.flushSize { try await flush() }
        }
    }

    /// Adds bytes held in memory (a decoded data URL), in pieces.
    func append(_ data: Data) async throws {
        var offset = 0
        while offset < data.count {
            let end = min(data.count, offset + Self.flushSize)
            try await append(ByteBuffer(bytes: data[offset..<end]))
            offset = end
        }
    }

    /// Writes what is left, closes the file, and returns the SHA-256 of
    /// every byte received.
    func finish() async throws -> ContentHash {
        try await flush()
        let hash = digest.finish()
        close(descriptor)
        descriptor = -1
        return hash
    }

    /// Hashes and writes the gathered bytes, on the blocking pool.
    private func flush() async throws {
        guard pending.readableBytes > 0 else { return }
        let chunk = pending
        pending.clear()
        size += Int64(chunk.readableBytes)
        metrics.spooled(files: 0, bytes: Int64(chunk.readableBytes))
        try await BlockingWork.run { [self] () throws(BlobStoreError) in
            try chunk.withUnsafeReadableBytes { (bytes) throws(BlobStoreError) in
                guard let base = bytes.baseAddress else { return }
                digest.update(bytes)
                var offset = 0
                while offset < bytes.count {
                    let written = write(descriptor, base + offset, bytes.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        let reason = String(cString: strerror(errno))
                        throw BlobStoreError(
                            errno == ENOSPC ? .full : .failed,
                            "cannot write the upload to \(path): \(reason); free space in the spool directory")
                    }
                    offset += written
                }
            }
        }
    }
}

/// The folder uploads are written to before they are stored: emptied of
/// what an earlier run left when the server starts.
struct SpoolDirectory: Sendable {
    let path: String
    /// Where the spool's files and bytes are counted.
    let metrics: ServeMetrics

    /// Uses `path`, creating it when missing, and removes uploads an
    /// earlier run left (a crash, a kill).
    init(path: String, metrics: ServeMetrics = .disabled) throws(ServerSettingsError) {
        self.path = path
        self.metrics = metrics
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw ServerSettingsError(
                "\(path): cannot make the upload spool directory (\(ErrorWording.words(for: error))); check that the state directory is writable by the service's user"
            )
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.hasSuffix(".upload") {
            unlink(path + "/" + name)
        }
    }

    /// A new, empty file for one upload.
    func newImage() throws -> SpooledImage {
        try SpooledImage(in: path, metrics: metrics)
    }
}
