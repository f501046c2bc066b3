import Foundation

/// The `NACHET_*` settings the agent runs with: the process environment,
/// overlaid by the lines of a configuration file when there is one.
///
/// The file has the form of a systemd `EnvironmentFile` (`KEY=value` lines,
/// `#` comments, values optionally quoted), so one file serves the unit and
/// the agent, and the agent reads it again on SIGHUP. Variables that are not
/// `NACHET_*` (`PGPASSWORD`, `PGSSLMODE`…) are left to the environment.
public struct Settings: Sendable {
    /// Every setting the agent reads, with what it is for.
    public static let known: [String: String] = [
        "NACHET_DB_URL": "where rows go: a PostgreSQL URL or libpq string (default: the embedded SQLite catalogue)",
        "NACHET_SCHEMA": "the PostgreSQL schema holding Nachet's tables",
        "NACHET_STORAGE_URL": "where bytes go: an Azure connection string or blob URL with a SAS",
        "NACHET_BLOB_ACCOUNT": "Azure storage account name (with NACHET_BLOB_KEY)",
        "NACHET_BLOB_KEY": "Azure storage account key (with NACHET_BLOB_ACCOUNT)",
        "NACHET_VALID_EXTENSION": "JSON list of the image types taken",
        "NACHET_SYNC_STATE_DIR": "where the state file lives",
        "NACHET_SYNC_DROP_DIR": "the drop folder(s) `watch` serves, separated by ':'",
        "NACHET_SYNC_READY_MARKER": "take a set folder only once a file of this name is in it",
        "NACHET_SYNC_STATUS_FILE": "write nachet-sync-status.txt into each set folder (true/false)",
        "NACHET_SYNC_FOLLOW_SYMLINKS": "take images and set folders that are symbolic links (true/false; default false)",
        "NACHET_SYNC_PARALLEL_UPLOADS": "files of a folder stored at the same time",
        "NACHET_SYNC_STABILITY_WINDOW": "seconds a file must stay unchanged before it is taken",
        "NACHET_SYNC_RESCAN_INTERVAL": "seconds between full scans of every folder",
        "NACHET_SYNC_VERIFY_EVERY": "hours between checks of the datastore against the folders (also at start); 0 turns them off (default 24)",
        "NACHET_SYNC_GIVE_UP_AFTER": "seconds an unreachable catalogue or blob store is retried before the agent gives up, and the longest any wait for the API may last (default 60)",
        "NACHET_SYNC_METRICS_LISTEN": "where `watch` or `serve` serves Prometheus metrics, HOST:PORT such as 127.0.0.1:9464 (default: not served)",
        "NACHET_SYNC_LOG_LEVEL": "trace, debug, info, notice, warning, error or critical",
        "NACHET_SYNC_LOG_FORMAT": "text or json",
        "NACHET_SYNC_API_URL": "upload through Nachet's batch-import API at this URL (nachet-sync serve, or Nachet's backend) instead of the datastore",
        "NACHET_SYNC_TOKEN": "the bearer token sent to the API (made by `nachet-sync serve token add`)",
        "NACHET_SYNC_API_CA_FILE": "a PEM file of certificate authorities trusted for the API's certificate, instead of the system's",
        "NACHET_SYNC_LEGACY_API": "the API is Nachet's own backend: use its legacy routes (true/false; default: asked of the server)",
        "NACHET_SYNC_CONFIG": "the configuration file itself (environment only)",
        "NACHET_SYNC_SERVE_HOST": "the address `serve` listens on (default 127.0.0.1)",
        "NACHET_SYNC_SERVE_PORT": "the port `serve` listens on (default 8080)",
        "NACHET_SYNC_SERVE_TOKENS_FILE": "the bearer tokens `serve` accepts: NAME sha256:HASH EMAIL… lines",
        "NACHET_SYNC_SERVE_TLS_CERTIFICATE": "`serve`'s TLS certificate chain, a PEM file",
        "NACHET_SYNC_SERVE_TLS_KEY": "`serve`'s TLS private key, a PEM file",
        "NACHET_MAX_CONTENT_LENGTH": "the largest JSON request `serve` takes, in MiB (Nachet's variable; default 16)",
        "NACHET_FRONTEND_PUBLIC_URL": "origins whose pages browsers may let call `serve` (CORS), ',' between them (Nachet's variable)",
    ].merging((NumericSetting.serveLimits + [.serveFleetQuietAfter]).map { ($0.variable, $0.summary) }) { listed, _ in listed }

    /// The values in effect, by name.
    public var values: [String: String]
    /// The configuration file they were read from, if any.
    public var file: String?
    /// The variables of that file holding a password, key or signature
    /// (names only), `NACHET_*` or not (`PGPASSWORD`).
    public var secretSettingsInFile: [String]
    /// The line of the file each of its settings is on.
    public var fileLines: [String: Int]

    public init(values: [String: String], file: String? = nil, secretSettingsInFile: [String] = [], fileLines: [String: Int] = [:]) {
        self.values = values
        self.file = file
        self.secretSettingsInFile = secretSettingsInFile
        self.fileLines = fileLines
    }

    /// Where the value of `variable` comes from: the configuration file (with
    /// its line) or the environment; `nil` when it is not set.
    public func origin(of variable: String) -> SettingOrigin? {
        guard self[variable] != nil else { return nil }
        if let file, let line = fileLines[variable] { return .file(variable: variable, path: file, line: line) }
        return .environment(variable: variable)
    }

    /// The configuration file, when it holds a secret and users other than
    /// the agent's may read it (checked now: a reload checks again).
    public var fileExposure: ConfigFileExposure? {
        file.flatMap { ConfigFileExposure.check(file: $0, secretSettings: secretSettingsInFile) }
    }

    /// The environment, overlaid by `file` (or `NACHET_SYNC_CONFIG`) when given.
    /// - Throws: ``ConfigurationError`` naming the file and line of a mistake.
    public static func load(
        file: String?,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(ConfigurationError) -> Settings {
        guard let path = file ?? environment["NACHET_SYNC_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) else {
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
    public subscript(key: String) -> String? {
        guard let value = values[key], !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return value
    }

    /// A number of seconds (or of the unit ``NumericSetting`` gives `key`,
    /// such as hours), in the range it gives `key` (0 or more, and finite,
    /// for a key it does not list).
    public func seconds(_ key: String) throws(ConfigurationError) -> Double? {
        guard let value = self[key] else { return nil }
        let setting = NumericSetting.named(key)
        let accepted = setting.map { $0.accepted(value) } ?? Double(value).flatMap { $0.isFinite && $0 >= 0 ? $0 : nil }
        guard let seconds = accepted else { throw invalid(key, value, setting?.expectation ?? "a number of seconds, such as 2 or 0.5") }
        return seconds
    }

    /// A whole number, in the range ``NumericSetting`` gives `key` (1 or
    /// more for a key it does not list).
    public func count(_ key: String) throws(ConfigurationError) -> Int? {
        guard let value = self[key] else { return nil }
        if let setting = NumericSetting.named(key) {
            guard let number = setting.accepted(value).flatMap({ Int(exactly: $0) }) else { throw invalid(key, value, setting.expectation) }
            return number
        }
        guard let number = Int(value), number >= 1 else { throw invalid(key, value, "a whole number, 1 or more") }
        return number
    }

    /// `true`/`false` (also yes/no, on/off, 1/0).
    public func flag(_ key: String) throws(ConfigurationError) -> Bool? {
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
