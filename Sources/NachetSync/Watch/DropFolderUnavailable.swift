import Foundation
import Glibc

/// Why a drop folder cannot be watched, and what to do, for the warning
/// the live agent gives once (at start, or when the folder goes away).
struct DropFolderUnavailable: CustomStringConvertible {
    var path: String
    /// The error of `inotify_add_watch`.
    var errno: Int32

    var description: String {
        let why: String
        switch errno {
        case ENOENT:
            why = "does not exist: create it, mount the share, or fix the path (the `watch` argument or \(Setting.dropDirectories.variable))"
        case EACCES, EPERM:
            why = "cannot be read (permission denied): give the agent's user read and execute rights on it (chmod, or the group)"
        case ENOTDIR:
            why = "is not a folder: name the folder images are dropped into"
        default:
            why = "cannot be watched (\(String(cString: strerror(errno))))"
        }
        return "the drop folder \(path) \(why); the agent looks for it again every few seconds and starts on it by itself"
    }
}
