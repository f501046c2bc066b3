import Foundation
import Glibc

/// Where the agent keeps its state file and, by default, the embedded
/// catalogue and blob store: on the PC's own disk, never in the drop folder.
public enum StateDirectory {
    /// The default: `/var/lib/nachet-sync` for root, else
    /// `$XDG_STATE_HOME/nachet-sync` (`~/.local/state/nachet-sync`).
    public static func defaultPath(environment: [String: String]) -> String {
        if getuid() == 0 { return "/var/lib/nachet-sync" }
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") {
            return state + "/nachet-sync"
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return home + "/.local/state/nachet-sync"
    }
}
