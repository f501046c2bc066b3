import Glibc

/// An image file opened once to be stored: checked to be the regular file
/// the listing saw, then read only through this descriptor (`pread`) by the
/// completeness check, the hash and the blob store alike.
///
/// Opening by name twice would let the name change in between: a hostile or
/// unlucky folder can swap an image for a symbolic link to a file the
/// technician may not read, or for a FIFO that blocks every reader. So the
/// file is opened relative to its set folder (``DirectoryHandle``), without
/// following a link and without blocking, and taken only if `fstat` says it
/// is a regular file with the device and inode the listing saw.
package final class SourceFile: Sendable {
    /// The file's full path, for messages and the state file.
    package let path: String
    /// The open file.
    package let descriptor: Int32
    /// What `fstat` said of it once opened.
    package let signature: FileSignature

    private init(path: String, descriptor: Int32, signature: FileSignature) {
        self.path = path
        self.descriptor = descriptor
        self.signature = signature
    }

    deinit {
        close(descriptor)
    }

    /// Opens the file `entry` of the folder `directory`.
    ///
    /// - Throws: ``SourceFileError`` when it cannot be opened, is not a
    ///   regular file, or is not the file that was listed.
    package static func open(
        _ entry: SetFolderListing.Entry,
        in directory: DirectoryHandle,
        followingSymlinks: Bool
    ) throws(SourceFileError) -> SourceFile {
        let descriptor: Int32
        switch directory.openForReading(entry.name, followingSymlinks: followingSymlinks) {
        case .success(let opened): descriptor = opened
        case .failure(let failure) where failure.errno == ELOOP: throw SourceFileError(path: entry.path, kind: .becameASymbolicLink)
        case .failure(let failure): throw SourceFileError(path: entry.path, kind: .unreadable(FileReadError(path: entry.path, errno: failure.errno)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let failure = errno
            close(descriptor)
            throw SourceFileError(path: entry.path, kind: .unreadable(FileReadError(path: entry.path, errno: failure)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            close(descriptor)
            throw SourceFileError(path: entry.path, kind: .notARegularFile(SkippedEntry.kind(of: status)))
        }
        guard UInt64(status.st_dev) == entry.device, UInt64(status.st_ino) == entry.signature.inode else {
            close(descriptor)
            throw SourceFileError(path: entry.path, kind: .replaced)
        }
        posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        return SourceFile(path: entry.path, descriptor: descriptor, signature: FileSignature(status))
    }

    /// Opens the regular file at `path` (not through a link, never blocking),
    /// for callers that did not list a folder: tools, tests, the benchmark.
    package static func open(path: String) throws(SourceFileError) -> SourceFile {
        let descriptor = Glibc.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW)
        guard descriptor >= 0 else {
            if errno == ELOOP { throw SourceFileError(path: path, kind: .becameASymbolicLink) }
            throw SourceFileError(path: path, kind: .unreadable(FileReadError(path: path, errno: errno)))
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            let kind = SkippedEntry.kind(of: status)
            close(descriptor)
            throw SourceFileError(path: path, kind: .notARegularFile(kind))
        }
        posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
        return SourceFile(path: path, descriptor: descriptor, signature: FileSignature(status))
    }

    /// Whether `fstat` still says what it said when the file was opened: a
    /// file written to while it was read gives bytes that are no version of
    /// it, and must not be stored.
    package var isUnchangedSinceOpened: Bool {
        var status = stat()
        return fstat(descriptor, &status) == 0 && FileSignature(status) == signature
    }
}

/// An image file that could not be opened as the file the listing saw.
package struct SourceFileError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    package enum Kind: Sendable {
        /// Open failed.
        case unreadable(FileReadError)
        /// The name is a symbolic link now, and links are not followed.
        case becameASymbolicLink
        /// The name is a FIFO, socket or device now.
        case notARegularFile(String)
        /// Another file has the name now.
        case replaced
    }

    /// The file's path.
    package var path: String
    package var kind: Kind

    package var description: String {
        switch kind {
        case .unreadable(let error):
            return error.description
        case .becameASymbolicLink:
            return
                "\(path): became a symbolic link after it was listed; links are not followed, so it is not read — copy the image itself into the folder"
        case .notARegularFile(let what):
            return "\(path): is not a regular file (\(what)) any more; only image files are uploaded"
        case .replaced:
            return "\(path): was replaced by another file after it was listed; the new file is taken at the next pass"
        }
    }
}
