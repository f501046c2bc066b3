import Foundation
import Glibc

/// Modes of what the agent makes for itself: the state directory, the state
/// file, the embedded catalogue and the local blob store are its user's
/// alone (folders 0700, files 0600). They hold the lab's pictures, users'
/// e-mail addresses and what was uploaded where.
///
/// Each file is created with its mode, rather than by a process-wide umask,
/// which would also apply to what the agent writes into the drop folder
/// (the status files the technicians read).
package enum PrivateFiles {
    /// Folders: `rwx------`.
    package static let directoryMode: mode_t = 0o700
    /// Files: `rw-------`.
    package static let fileMode: mode_t = 0o600

    /// Creates the folder at `path` and any missing parent, each 0700;
    /// folders that exist keep their mode.
    ///
    /// - Returns: `nil`, or the `errno` of the failure.
    package static func createDirectory(_ path: String) -> Int32? {
        // One call when the folder or its parent exists, as for most puts.
        if mkdir(path, directoryMode) == 0 { return nil }
        switch errno {
        case EEXIST:
            var status = stat()
            guard stat(path, &status) == 0 else { return errno }
            return status.st_mode & S_IFMT == S_IFDIR ? nil : ENOTDIR
        case ENOENT:
            let parent = (path as NSString).deletingLastPathComponent
            guard !parent.isEmpty, parent != path else { return ENOENT }
            if let failure = createDirectory(parent) { return failure }
            return mkdir(path, directoryMode) == 0 || errno == EEXIST ? nil : errno
        default:
            return errno
        }
    }

    /// Creates an empty file at `path`, 0600, unless something is there.
    ///
    /// SQLite creates a database's `-wal` and `-shm` files with the mode of
    /// the database file, so a database file made here first keeps all
    /// three private. Failures are left to the caller's next step (SQLite's
    /// own open says why).
    package static func createFileIfMissing(_ path: String) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if descriptor >= 0 { close(descriptor) }
    }

    /// `0o644` → `0644`, as `chmod` and `ls` users know it.
    package static func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// The permission bits of what is at `path`, or `nil`.
    package static func mode(of path: String) -> mode_t? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return status.st_mode & 0o7777
    }
}
