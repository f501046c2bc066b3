import Foundation
import Glibc
import NIOCore

/// Streams a file's bytes in fixed-size pieces, so memory stays flat whatever
/// the file's size.
public struct FileContent: Sendable {
    /// The size of each read: large enough for the disk and the hash to run at
    /// full speed, small enough to keep memory flat.
    public static let chunkSize = 1 << 20

    /// The file to read.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Calls `body` with successive pieces of the file and returns the
    /// signature of the file as it was when opened.
    ///
    /// - Throws: ``FileReadError`` when the file cannot be opened or read.
    @discardableResult
    public func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> FileSignature {
        try withOpenFile { descriptor, signature in
            try Self.forEachChunk(of: descriptor, path: path, body)
            return signature
        }
    }

    private static func forEachChunk(of descriptor: Int32, path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, errno: errno)
            }
            try body(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
        }
    }

    /// The whole file, read into one buffer sized to it (grown only if the
    /// file grew since its size was taken).
    private static func readWhole(_ descriptor: Int32, path: String, size: Int) throws -> ByteBuffer {
        var bytes = ByteBufferAllocator().buffer(capacity: size)
        while true {
            var failure: Int32?
            var count = 0
            let missing = size - bytes.readableBytes
            if missing > 0 {
                bytes.writeWithUnsafeMutableBytes(minimumWritableBytes: missing) { target in
                    count = read(descriptor, target.baseAddress, missing)
                    return max(0, count)
                }
            } else {
                // At the size expected: one byte more tells whether it is the
                // end, without growing the buffer when it is.
                var byte: UInt8 = 0
                count = read(descriptor, &byte, 1)
                if count == 1 { bytes.writeInteger(byte) }
            }
            if count < 0 { failure = errno }
            if let failure {
                if failure == EINTR { continue }
                throw FileReadError(path: path, errno: failure)
            }
            if count == 0 { return bytes }
        }
    }

    /// Opens the file for `body`, with its signature as it is when opened.
    private func withOpenFile<Result>(_ body: (Int32, FileSignature) throws -> Result) throws -> Result {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileReadError(path: path, errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileReadError(path: path, errno: errno) }
        posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        LargeBuffers.configure()
        return try body(descriptor, FileSignature(status))
    }

    /// Hashes the file with SHA-256, streaming it.
    ///
    /// - Returns: The hash, and the signature of the file that was read.
    public func sha256() throws -> (hash: ContentHash, signature: FileSignature) {
        let fingerprint = try self.fingerprint(pieceSize: nil)
        return (fingerprint.sha256, fingerprint.signature)
    }

    /// Hashes the file with SHA-256 and, when `pieceSize` is given, each
    /// piece of that size with Azure Storage's CRC-64 as well, in one read.
    ///
    /// A file of at most `keptSize` bytes is read into memory whole and kept
    /// in the result (``FileFingerprint/bytes``), so that a blob store
    /// writes exactly the bytes hashed, without reading or hashing the file
    /// again.
    public func fingerprint(pieceSize: Int?, keepingUpTo keptSize: Int = 0) throws -> FileFingerprint {
        let digest = SHA256Digest()
        var pieces = pieceSize.map(PieceHasher.init(pieceSize:))
        func add(_ chunk: UnsafeRawBufferPointer) {
            digest.update(chunk)
            pieces?.update(chunk)
        }
        return try withOpenFile { descriptor, signature in
            var kept: ByteBuffer?
            if signature.size <= Int64(keptSize) {
                let bytes = try Self.readWhole(descriptor, path: path, size: Int(signature.size))
                bytes.withUnsafeReadableBytes { add($0) }
                kept = bytes
            } else {
                try Self.forEachChunk(of: descriptor, path: path, add)
            }
            return FileFingerprint(sha256: digest.finish(), signature: signature, pieces: pieces?.finish(), bytes: kept)
        }
    }
}

/// What one read of a file learnt of its content.
public struct FileFingerprint: Sendable, Hashable {
    /// The hash of every byte read.
    public var sha256: ContentHash
    /// The file as it was when opened.
    public var signature: FileSignature
    /// The checksum of each piece, when asked for.
    public var pieces: PieceDigests?
    /// Every byte hashed, when the file was small enough to keep.
    public var bytes: ByteBuffer?
}

/// A file that could not be read, with the reason in plain words.
public struct FileReadError: Error, CustomStringConvertible, Sendable {
    /// The file concerned.
    public var path: String
    /// The system error number.
    public var errno: Int32

    public init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        switch errno {
        case EACCES, EPERM:
            return "\(path): cannot read it (\(reason)); give the agent's user read permission on it"
        case ENOENT:
            return "\(path): it disappeared before it could be read; it will be looked at again if it comes back"
        case EIO:
            return "\(path): the disk or share reported an I/O error (\(reason)); check the drive or network mount"
        default:
            return "\(path): cannot read it (\(reason))"
        }
    }
}
