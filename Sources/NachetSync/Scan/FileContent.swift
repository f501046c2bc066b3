import Foundation
import Glibc
import NIOCore

/// Streams a file's bytes in fixed-size pieces, so memory stays flat whatever
/// the file's size.
///
/// Reads go through `pread` at explicit offsets, so one open file
/// (``SourceFile``) can be checked, hashed and stored without reopening it
/// by name.
package struct FileContent: Sendable {
    /// The size of each read: large enough for the disk and the hash to run at
    /// full speed, small enough to keep memory flat.
    package static let chunkSize = 1 << 20

    private enum Origin: Sendable {
        case path(String)
        case file(SourceFile)
    }

    private let origin: Origin

    /// The file at `path`, opened when read.
    package init(path: String) {
        origin = .path(path)
    }

    /// The file already open as `file`.
    package init(file: SourceFile) {
        origin = .file(file)
    }

    /// The file's path, for messages.
    package var path: String {
        switch origin {
        case .path(let path): path
        case .file(let file): file.path
        }
    }

    /// Calls `body` with successive pieces of the file and returns the
    /// signature of the file as it was when read.
    ///
    /// - Throws: ``FileReadError`` when the file cannot be opened or read.
    @discardableResult
    package func forEachChunk(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> FileSignature {
        try withOpenFile { descriptor, signature in
            try Self.forEachChunk(of: descriptor, path: path, body)
            return signature
        }
    }

    static func forEachChunk(of descriptor: Int32, path: String, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 4096)
        defer { buffer.deallocate() }
        var offset: off_t = 0
        while true {
            let count = pread(descriptor, buffer.baseAddress, buffer.count, offset)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw FileReadError(path: path, errno: errno)
            }
            offset += off_t(count)
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
            let offset = off_t(bytes.readableBytes)
            if missing > 0 {
                bytes.writeWithUnsafeMutableBytes(minimumWritableBytes: missing) { target in
                    count = pread(descriptor, target.baseAddress, missing, offset)
                    return max(0, count)
                }
            } else {
                // At the size expected: one byte more tells whether it is the
                // end, without growing the buffer when it is.
                var byte: UInt8 = 0
                count = pread(descriptor, &byte, 1, offset)
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

    /// Runs `body` on the open file, with its signature as it is before
    /// reading; fails when the file changed while `body` read it.
    private func withOpenFile<Result>(_ body: (Int32, FileSignature) throws -> Result) throws -> Result {
        LargeBuffers.configure()
        switch origin {
        case .file(let file):
            let result = try body(file.descriptor, file.signature)
            guard file.isUnchangedSinceOpened else { throw FileChangedWhileReadError(path: file.path) }
            return result
        case .path(let path):
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw FileReadError(path: path, errno: errno) }
            defer { close(descriptor) }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else { throw FileReadError(path: path, errno: errno) }
            posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
            return try body(descriptor, FileSignature(status))
        }
    }

    /// Hashes the file with SHA-256, streaming it.
    ///
    /// - Returns: The hash, and the signature of the file that was read.
    package func sha256() throws -> (hash: ContentHash, signature: FileSignature) {
        let fingerprint = try self.fingerprint(pieceSize: nil)
        return (fingerprint.sha256, fingerprint.signature)
    }

    /// Hashes the file with SHA-256 and, when `pieceSize` is given, each
    /// piece of that size with Azure Storage's CRC-64 as well, in one read.
    ///
    /// A file of at most `keptSize` bytes is read into memory whole and kept
    /// in the result (``FileFingerprint/bytes``), so that a blob store
    /// writes exactly the bytes hashed, without reading or hashing the file
    /// again. Each piece read is also handed to `sink` when given (a blob
    /// store's staging file), so what is written is what is hashed.
    package func fingerprint(
        pieceSize: Int?,
        keepingUpTo keptSize: Int = 0,
        writingTo sink: ((UnsafeRawBufferPointer) throws -> Void)? = nil
    ) throws -> FileFingerprint {
        let digest = SHA256Digest()
        var pieces = pieceSize.map(PieceHasher.init(pieceSize:))
        func add(_ chunk: UnsafeRawBufferPointer) throws {
            digest.update(chunk)
            pieces?.update(chunk)
            try sink?(chunk)
        }
        return try withOpenFile { descriptor, signature in
            var kept: ByteBuffer?
            if signature.size <= Int64(keptSize) {
                let bytes = try Self.readWhole(descriptor, path: path, size: Int(signature.size))
                try bytes.withUnsafeReadableBytes { try add($0) }
                kept = bytes
            } else {
                try Self.forEachChunk(of: descriptor, path: path, add)
            }
            return FileFingerprint(sha256: digest.finish(), signature: signature, pieces: pieces?.finish(), bytes: kept)
        }
    }
}

/// What one read of a file learnt of its content.
package struct FileFingerprint: Sendable, Hashable {
    /// The hash of every byte read.
    package var sha256: ContentHash
    /// The file as it was when opened.
    package var signature: FileSignature
    /// The checksum of each piece, when asked for.
    package var pieces: PieceDigests?
    /// Every byte hashed, when the file was small enough to keep.
    package var bytes: ByteBuffer?
}

/// A file whose size or time changed while it was read: the bytes read are
/// no version of it, so nothing is stored.
package struct FileChangedWhileReadError: Error, CustomStringConvertible, Sendable {
    /// The file concerned.
    package var path: String

    package var description: String {
        "\(path): the file changed while it was being read to be stored; it is taken again once it stops changing"
    }
}

/// A file that could not be read, with the reason in plain words.
package struct FileReadError: Error, CustomStringConvertible, Sendable {
    /// The file concerned.
    package var path: String
    /// The system error number.
    package var errno: Int32

    package init(path: String, errno: Int32) {
        self.path = path
        self.errno = errno
    }

    package var description: String {
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
