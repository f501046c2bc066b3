import Foundation
import Glibc

/// Thin, allocation-light directory reading on `opendir`/`readdir`.
enum DirectoryEntries {
    /// The names in `path`, without `.` and `..`.
    static func names(in path: String) throws(DirectoryReadError) -> [String] {
        guard let directory = opendir(path) else { throw DirectoryReadError(path: path, errno: errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// The sub-directories of `path` that are not hidden, sorted by name.
    static func subdirectories(of path: String) throws(DirectoryReadError) -> [String] {
        try names(in: path).filter { name in
            guard !isIgnored(name) else { return false }
            var status = stat()
            return stat(path + "/" + name, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
        }.sorted()
    }

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
public struct DirectoryReadError: Error, CustomStringConvertible, Sendable {
    /// The directory concerned.
    public var path: String
    /// The system error number.
    public var errno: Int32

    public var description: String {
        let reason = String(cString: strerror(errno))
        switch errno {
        case ENOENT:
            return "\(path): no such folder; check the path, or mount the share that holds it"
        case EACCES, EPERM:
            return "\(path): cannot list it (\(reason)); give the agent's user read and execute permission on it"
        case ENOTDIR:
            return "\(path): is a file, not a folder"
        default:
            return "\(path): cannot list it (\(reason))"
        }
    }
}
