import Foundation
import Glibc

/// The permission bits of files, for tests of what the agent keeps private.
package enum FileModes {
    /// The permission bits of what is at `path` (not following a link), or `nil`.
    package static func of(_ path: String) -> mode_t? {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        return status.st_mode & 0o7777
    }

    /// Every folder and file under `root` (not `root` itself), by path
    /// relative to it, with its permission bits.
    package static func everything(under root: String) -> [String: mode_t] {
        var modes: [String: mode_t] = [:]
        for relative in (try? FileManager.default.subpathsOfDirectory(atPath: root)) ?? [] {
            if let mode = of(root + "/" + relative) { modes[relative] = mode }
        }
        return modes
    }

    /// Whether what is at `path` is a folder.
    package static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
