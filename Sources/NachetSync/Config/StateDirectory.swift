import Foundation
import Glibc

/// Where the agent keeps its state file and, by default, the embedded
/// catalogue and blob store: on the PC's own disk, never in the drop folder.
package enum StateDirectory {
    /// The default: `/var/lib/nachet-sync` for root, else
    /// `$XDG_STATE_HOME/nachet-sync` (`~/.local/state/nachet-sync`).
    package static func defaultPath(environment: [String: String]) -> String {
        if getuid() == 0 { return "/var/lib/nachet-sync" }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/nachet-sync"
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/nachet-sync"
    }

    /// Creates the state directory, and any missing parent, 0700 (its
    /// user's only) when missing.
    ///
    /// - Throws: ``ConfigurationError`` naming the folder and the fix.
    package static func create(_ path: String) throws(ConfigurationError) {
        if let failure = PrivateFiles.createDirectory(path) {
            throw ConfigurationError(
                "cannot create the state directory \(path): \(String(cString: strerror(failure))); choose a writable one with --state-dir")
        }
    }

    /// What ``makePrivate(_:)`` did about a state directory other users may
    /// read, for the log.
    package enum Tightening: Sendable, Equatable {
        /// The mode was `from`; it is now 0700.
        case tightened(from: mode_t)
        /// Left as it is (mode `mode`): the agent's user does not own it, or
        /// it holds other files than the agent's (it may be a shared folder
        /// such as `/var/lib` given by mistake), or it is sticky like `/tmp`.
        case leftOpen(mode: mode_t)
    }

    /// Makes an existing state directory that group or others may enter
    /// 0700, when it is recognisably the agent's own: owned by the agent's
    /// user, not sticky, and empty or holding a state file.
    ///
    /// A state directory made by an older version (0755), or by systemd's
    /// `StateDirectory=` without `StateDirectoryMode=0700`, is tightened
    /// once; the files in it keep their modes, behind the private folder.
    ///
    /// - Returns: `nil` when nothing is to be said (missing, or private
    ///   already).
    package static func makePrivate(_ path: String) -> Tightening? {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { return nil }
        let mode = status.st_mode & 0o7777
        guard mode & 0o077 != 0 else { return nil }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [""]
        let isAgents = status.st_uid == geteuid() && mode & S_ISVTX == 0 && (entries.isEmpty || entries.contains(SyncState.fileName))
        guard isAgents, chmod(path, PrivateFiles.directoryMode) == 0 else { return .leftOpen(mode: mode) }
        return .tightened(from: mode)
    }
}
