import Foundation
import Glibc

/// Names the agent never takes as inputs.
enum DirectoryEntries {
    /// Names copy tools, browsers and editors give files that are not
    /// finished: hidden names (`.*`, which covers rsync's `.name.XXXXXX` and
    /// Samba's temporaries), Office lock files (`~$*`), and temporary endings.
    static func isIgnored(_ name: String) -> Bool {
        if name.hasPrefix(".") || name.hasPrefix("~$") { return true }
        let lowered = name.lowercased()
        return temporaryEndings.contains { lowered.hasSuffix($0) }
    }

    /// Endings of files still being written: `*.tmp`, `*.part` (Firefox,
    /// wget, curl), `*.crdownload` (Chrome), `*.partial`, `*.download` (Safari).
    static let temporaryEndings = [".tmp", ".part", ".partial", ".crdownload", ".download"]
}

/// A directory that could not be listed.
package struct DirectoryReadError: Error, CustomStringConvertible, Sendable {
    /// The directory concerned.
    package var path: String
    /// The system error number.
    package var errno: Int32

    package var description: String {
        let reason = String(cString: strerror(errno))
        switch errno {
        case ENOENT:
            return "\(path): no such folder; check the path, or mount the share that holds it"
        case EACCES, EPERM:
            return "\(path): cannot list it (\(reason)); give the agent's user read and execute permission on it"
        case ENOTDIR:
            return "\(path): is a file, not a folder"
        case ELOOP:
            return
                "\(path): is a symbolic link (or became one after it was listed); links are not followed — set \(Setting.followSymlinks.variable)=true (--follow-symlinks) to take linked folders"
        case ENAMETOOLONG:
            return "\(path): the path is longer than the system allows; shorten the folder names"
        default:
            return "\(path): cannot list it (\(reason))"
        }
    }
}
