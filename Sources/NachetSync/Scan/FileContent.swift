import Foundation
import Glibc

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
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileReadError(path: path, errno: errno) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw FileReadError(path: path, errno: errno) }
        posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        LargeBuffers.configure()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunkSize, alignment: 4096)
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
        return FileSignature(status)
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
    public func fingerprint(pieceSize: Int?) throws -> FileFingerprint {
        let digest = SHA256Digest()
        var pieces = pieceSize.map(PieceHasher.init(pieceSize:))
        let signature = try forEachChunk { chunk in
            digest.update(chunk)
            pieces?.update(chunk)
        }
        return FileFingerprint(sha256: digest.finish(), signature: signature, pieces: pieces?.finish())
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
