import Glibc

/// A folder opened once: its names are listed, looked at and opened relative
/// to the folder that was opened, never through a path that someone may have
/// swapped for a symbolic link since.
///
/// The drop folder is written by other people and other machines, so between
/// the moment a name is listed and the moment it is opened, anything may have
/// happened to it. Everything the agent reads inside a set folder goes
/// through this handle (`openat`, `fstatat`), and every file opened is
/// checked to be the one the listing saw (``SourceFile``).
package final class DirectoryHandle: Sendable {
    /// The folder's path, for messages and state records.
    package let path: String
    /// The open folder.
    package let descriptor: Int32

    /// Opens the folder at `path`.
    ///
    /// - Parameter followingSymlinks: When `false`, a symbolic link at `path`
    ///   itself is refused (`ELOOP`), so a set folder swapped for a link to
    ///   somewhere else after it was listed is never read.
    package init(opening path: String, followingSymlinks: Bool) throws(DirectoryReadError) {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | (followingSymlinks ? 0 : O_NOFOLLOW)
        let descriptor = open(path, flags)
        guard descriptor >= 0 else { throw DirectoryReadError(path: path, errno: errno) }
        self.path = path
        self.descriptor = descriptor
    }

    deinit {
        close(descriptor)
    }

    /// The folder's entries, without `.` and `..`, as the file system holds
    /// their names (which need not be UTF-8).
    package func entries() throws(DirectoryReadError) -> [DirectoryEntryName] {
        // fdopendir takes over the descriptor it is given: give it a copy.
        let copy = dup(descriptor)
        guard copy >= 0, let directory = fdopendir(copy) else {
            let failure = errno
            if copy >= 0 { close(copy) }
            throw DirectoryReadError(path: path, errno: failure)
        }
        defer { closedir(directory) }
        rewinddir(directory)
        var names: [DirectoryEntryName] = []
        while let entry = readdir(directory) {
            var name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { DirectoryEntryName(cString: $0) }
            }
            name.type = entry.pointee.d_type
            if name.text != "." && name.text != ".." { names.append(name) }
        }
        return names
    }

    /// What `lstat` (or `stat`, when following links) says of `name`, or the
    /// error number.
    package func status(of name: String, followingSymlinks: Bool) -> Result<stat, FileStatusError> {
        var status = stat()
        guard fstatat(descriptor, name, &status, followingSymlinks ? 0 : AT_SYMLINK_NOFOLLOW) == 0 else {
            return .failure(FileStatusError(errno: errno))
        }
        return .success(status)
    }

    /// Where the symbolic link `name` points, for messages; `nil` when it
    /// cannot be read.
    package func linkTarget(of name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(descriptor, name, &buffer, Int(PATH_MAX))
        guard count > 0 else { return nil }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Opens `name` for reading, never blocking (a FIFO opens at once), and
    /// never through a symbolic link unless `followingSymlinks`.
    /// - Returns: The descriptor, or the error number.
    package func openForReading(_ name: String, followingSymlinks: Bool) -> Result<Int32, FileStatusError> {
        let flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (followingSymlinks ? 0 : O_NOFOLLOW)
        let descriptor = openat(self.descriptor, name, flags)
        guard descriptor >= 0 else { return .failure(FileStatusError(errno: errno)) }
        return .success(descriptor)
    }
}

/// An `errno` from looking at or opening one name.
package struct FileStatusError: Error, Sendable {
    package var errno: Int32
}

/// A name as a directory holds it: text when it is valid UTF-8, and a
/// printable form in every case.
package struct DirectoryEntryName: Sendable, Hashable {
    /// The name, when its bytes are valid UTF-8; only such names can be
    /// stored in Nachet and named in the state file.
    package var text: String?
    /// The name for messages: invalid bytes shown as `\xNN`.
    package var display: String
    /// What `readdir` says the entry is (`DT_REG`, `DT_DIR`, `DT_LNK`…);
    /// `DT_UNKNOWN` on file systems that do not say.
    package var type = UInt8(DT_UNKNOWN)

    init(cString: UnsafePointer<CChar>) {
        if let valid = String(validatingCString: cString) {
            text = valid
            display = valid
        } else {
            text = nil
            let bytes = UnsafeRawBufferPointer(start: cString, count: strlen(cString))
            display = Self.escaping(bytes)
        }
    }

    /// `bytes` as text, each byte that is not part of valid UTF-8 as `\xNN`.
    static func escaping(_ bytes: UnsafeRawBufferPointer) -> String {
        var result = ""
        var index = 0
        while index < bytes.count {
            // The longest valid UTF-8 sequence starting here, if any.
            var decoded: String?
            for length in (1...min(4, bytes.count - index)).reversed() {
                if let text = String(validating: bytes[index..<index + length], as: UTF8.self), text.unicodeScalars.count == 1 {
                    decoded = text
                    index += length
                    break
                }
            }
            if let decoded {
                result += decoded
            } else {
                result += "\\x" + String(bytes[index], radix: 16, uppercase: true).leftPadded(to: 2)
                index += 1
            }
        }
        return result
    }
}

extension String {
    /// The string with zeros before it, up to `width` characters.
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
