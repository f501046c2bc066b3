import Foundation

/// The `NACHET_*` settings the agent runs with: the process environment,
/// overlaid by the lines of a configuration file when there is one.
///
/// The file has the form of a systemd `EnvironmentFile` (`KEY=value` lines,
/// `#` comments, values optionally quoted), so one file serves the unit and
/// the agent, and the agent reads it again on SIGHUP. Variables that are not
/// `NACHET_*` (`PGPASSWORD`, `PGSSLMODE`…) are left to the environment.
package struct Settings: Sendable {
    /// Every setting the agent reads, with what it is for (``Setting/all``).
    package static let known: [String: String] = Dictionary(uniqueKeysWithValues: Setting.all.map { ($0.variable, $0.summary) })

    /// The values in effect, by name.
    package var values: [String: String]
    /// The configuration file they were read from, if any.
    package var file: String?
    /// The variables of that file holding a password, key or signature
    /// (names only), `NACHET_*` or not (`PGPASSWORD`).
    package var secretSettingsInFile: [String]
    /// The line of the file each of its settings is on.
    package var fileLines: [String: Int]

    package init(values: [String: String], file: String? = nil, secretSettingsInFile: [String] = [], fileLines: [String: Int] = [:]) {
        self.values = values
        self.file = file
        self.secretSettingsInFile = secretSettingsInFile
        self.fileLines = fileLines
    }

    /// Where the value of `setting` comes from: the configuration file (with
    /// its line) or the environment; `nil` when it is not set.
    package func origin(of setting: Setting) -> SettingOrigin? {
        origin(of: setting.variable)
    }

    /// Where the value of `variable` comes from: the configuration file (with
    /// its line) or the environment; `nil` when it is not set.
    package func origin(of variable: String) -> SettingOrigin? {
        guard self[variable] != nil else { return nil }
        if let file, let line = fileLines[variable] { return .file(variable: variable, path: file, line: line) }
        return .environment(variable: variable)
    }

    /// The configuration file, when it holds a secret and users other than
    /// the agent's may read it (checked now: a reload checks again).
    package var fileExposure: ConfigFileExposure? {
        file.flatMap { ConfigFileExposure.check(file: $0, secretSettings: secretSettingsInFile) }
    }

    /// The environment, overlaid by `file` (or `NACHET_SYNC_CONFIG`) when given.
    /// - Throws: ``ConfigurationError`` naming the file and line of a mistake.
    package static func load(
        file: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> Settings {
        guard let path = file ?? environment[Setting.configFile.variable].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return Settings(values: environment)
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                "\(path): cannot read the configuration file (\(error.localizedDescription)); check the path and that the agent's user may read it"
            )
        }
        var values = environment
        var lines: [String: Int] = [:]
        for (key, value, line) in try parse(text, file: path) {
            values[key] = value
            lines[key] = line
        }
        return Settings(values: values, file: path, secretSettingsInFile: ConfigFileExposure.secretSettings(in: text), fileLines: lines)
    }

    /// The `NACHET_*` assignments of a configuration file's text, with
    /// their line numbers. Lines may end as on Windows (`\r\n`) and the file
    /// may start with a byte order mark (``TextFileLines``); a line that is
    /// not `KEY=value` is named by its number, never shown.
    static func parse(_ text: String, file: String) throws(ConfigurationError) -> [(String, String, Int)] {
        var assignments: [(String, String, Int)] = []
        for (number, rawLine) in TextFileLines.numbered(text) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty, !line.hasPrefix("#"), !line.hasPrefix(";") else { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)).trimmingCharacters(in: .whitespaces) }
            let place = "\(file):\(number)"
            let equals = line.firstIndex(of: "=") ?? line.startIndex
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            guard !key.isEmpty, key.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                throw ConfigurationError("\(place): expected KEY=value, as in the example file packaging/nachet-sync.env.example")
            }
            guard key.hasPrefix("NACHET_") else { continue }
            guard known[key] != nil else {
                let suggestions = NameSuggestions.closest(to: key, among: Array(known.keys))
                let hint = suggestions.isEmpty ? "" : "; did you mean \(suggestions.joined(separator: " or "))?"
                throw ConfigurationError("\(place): \(key) is not a nachet-sync setting\(hint) (`nachet-sync watch --help` lists them)")
            }
            assignments.append((key, unquoted(line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)), number))
        }
        return assignments
    }

    /// `"a b"` or `'a b'` → `a b`.
    static func unquoted(_ value: String) -> String {
        for quote in ["\"", "'"] where value.count >= 2 && value.hasPrefix(quote) && value.hasSuffix(quote) {
            return String(value.dropFirst().dropLast())
        }
        return value
    }

    /// The setting's value, `nil` when unset or blank.
    package subscript(setting: Setting) -> String? {
        self[setting.variable]
    }

    /// The value of the variable `key`, `nil` when unset or blank.
    package subscript(key: String) -> String? {
        guard let value = values[key], !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return value
    }

    /// A number of seconds (or of the unit ``NumericSetting`` gives `key`,
    /// such as hours), in the range it gives `key` (0 or more, and finite,
    /// for a key it does not list).
    package func seconds(_ key: String) throws(ConfigurationError) -> Double? {
        guard let value = self[key] else { return nil }
        let setting = NumericSetting.named(key)
        let accepted = setting.map { $0.accepted(value) } ?? Double(value).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        guard let seconds = accepted else { throw invalid(key, value, setting?.expectation ?? "a number of seconds, such as 2 or 0.5") }
        return seconds
    }

    /// A whole number, in the range ``NumericSetting`` gives `key` (1 or
    /// more for a key it does not list).
    package func count(_ key: String) throws(ConfigurationError) -> Int? {
        guard let value = self[key] else { return nil }
        if let setting = NumericSetting.named(key) {
            guard let number = setting.accepted(value).flatMap({ Int(exactly: $0) }) else { throw invalid(key, value, setting.expectation) }
            return number
        }
        guard let number = Int(value), number >= 1 else { throw invalid(key, value, "a whole number, 1 or more") }
        return number
    }

    /// ``seconds(_:)-(String)`` of `setting`.
    package func seconds(_ setting: Setting) throws(ConfigurationError) -> Double? {
        try seconds(setting.variable)
    }

    /// ``count(_:)-(String)`` of `setting`.
    package func count(_ setting: Setting) throws(ConfigurationError) -> Int? {
        try count(setting.variable)
    }

    /// ``flag(_:)-(String)`` of `setting`.
    package func flag(_ setting: Setting) throws(ConfigurationError) -> Bool? {
        try flag(setting.variable)
    }

    /// `true`/`false` (also yes/no, on/off, 1/0).
    package func flag(_ key: String) throws(ConfigurationError) -> Bool? {
        guard let value = self[key]?.lowercased() else { return nil }
        if ["true", "yes", "on", "1"].contains(value) { return true }
        if ["false", "no", "off", "0"].contains(value) { return false }
        throw invalid(key, value, "true or false")
    }

    /// A value of the wrong form, said as an excerpt (``SecretMasking/excerpt(of:removing:limit:)``):
    /// these settings hold numbers and flags, but a value pasted in the
    /// wrong place may be a secret.
    private func invalid(_ key: String, _ value: String, _ expected: String) -> ConfigurationError {
        let shown = SecretMasking.excerpt(of: value, limit: 80)
        return ConfigurationError("\(key)=\(shown)\(file.map { " (in \($0))" } ?? ""): expected \(expected)")
    }
}
