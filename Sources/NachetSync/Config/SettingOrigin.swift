import Foundation

/// Where a setting's value came from, as `nachet-sync doctor` says it.
package enum SettingOrigin: Sendable, Equatable, CustomStringConvertible {
    /// A command-line flag (`--catalogue`).
    case flag(String)
    /// A line of the `--config` file.
    case file(variable: String, path: String, line: Int)
    /// The process environment (a systemd unit's `Environment=`, a shell).
    case environment(variable: String)
    /// Nothing set it: the default, said with what it is.
    case defaultValue(String)

    package var description: String {
        switch self {
        case .flag(let flag): "from \(flag)"
        case .file(let variable, let path, let line): "from \(variable) in \(path) line \(line)"
        case .environment(let variable): "from \(variable) in the environment"
        case .defaultValue(let what): "default" + (what.isEmpty ? "" : ": " + what)
        }
    }
}
