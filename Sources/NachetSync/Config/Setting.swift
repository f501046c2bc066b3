/// One setting of nachet-sync: how the environment and `--config` files
/// name it, its command-line flag, what it sets, and whether its value is a
/// secret. Each is declared once, in the table (`Setting+Table.swift`).
package struct Setting: Sendable, Hashable, CustomStringConvertible {
    /// The environment and configuration-file name, `NACHET_…`.
    package let variable: String
    /// The command-line flag, when there is one.
    package let flag: String?
    /// What it sets, with its default where it has one: a phrase, for the
    /// list of settings and `doctor`.
    package let summary: String
    /// Whether its value is a password, key or token, whatever it looks
    /// like: never shown, and a `--config` file holding it must be the
    /// agent's alone. (A location, such as `NACHET_DB_URL`, holds a secret
    /// only when its value does: ``ConfigFileExposure`` looks.)
    package let isSecret: Bool

    init(_ variable: String, flag: String?, _ summary: String, isSecret: Bool = false) {
        self.variable = variable
        self.flag = flag
        self.summary = summary
        self.isSecret = isSecret
    }

    /// Its name, as messages say it.
    package var description: String { variable }

    /// `(NACHET_…; default …)`, the end of its flag's help.
    package func helpNote(default value: String? = nil) -> String {
        "(\(variable)\(value.map { "; default \($0)" } ?? ""))"
    }

    /// The setting named `variable`, if nachet-sync has one.
    package static func named(_ variable: String) -> Setting? {
        all.first { $0.variable == variable }
    }
}
