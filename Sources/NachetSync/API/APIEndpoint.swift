import Foundation

/// Where the agent reaches Nachet's batch-import API (`--nachet-url`), and
/// how: the bearer token, the certificates trusted, and which of the two
/// servers speaks there.
package struct APIEndpoint: Sendable {
    /// Which server answers at the URL.
    package enum Dialect: String, Sendable {
        /// Asked at the first request: `serve` answers `GET /health` with
        /// its JSON, Nachet's backend does not.
        case detect
        /// Nachet's own backend (`--legacy-api`): no token checked, no
        /// `sha256` honoured, no raw route.
        case legacy
    }

    /// The base URL, `https://host[:port][/prefix]`, without a trailing `/`.
    package var baseURL: String
    /// The bearer token (`--token`, `NACHET_SYNC_TOKEN`); never said.
    package var token: String?
    /// A PEM file of certificate authorities trusted instead of the
    /// system's (`--nachet-ca-file`), for a server with a private CA.
    package var certificateAuthorityFile: String?
    package var dialect: Dialect

    /// Checks `url` and keeps it without a trailing `/`.
    ///
    /// - Throws: ``ConfigurationError`` for a URL that is not `http://` or
    ///   `https://` with a host, or that holds a user, password, query or
    ///   fragment (a secret there would show in `ps` and in messages).
    package init(url: String, token: String?, certificateAuthorityFile: String? = nil, dialect: Dialect = .detect) throws(ConfigurationError) {
        let trimmed = url.trimmingCharacters(in: .whitespaces)
        guard let components = URLComponents(string: trimmed), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw ConfigurationError(
                "the Nachet API URL \"\(Self.withoutSecrets(trimmed))\" (--nachet-url or \(Setting.apiURL.variable)) is not one; give it as https://nachet-sync.lab.example or http://127.0.0.1:8080"
            )
        }
        guard components.user == nil, components.password == nil, components.query == nil, components.fragment == nil else {
            throw ConfigurationError(
                "the Nachet API URL (--nachet-url or \(Setting.apiURL.variable)) must hold no user, password, query or fragment; give the token with --token or \(Setting.token.variable) instead"
            )
        }
        var base = trimmed
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        self.token = token.flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        self.certificateAuthorityFile = certificateAuthorityFile
        self.dialect = dialect
    }

    /// The URL, for messages and as the identity of the destination in the
    /// state file: holds no secret (``init(url:token:certificateAuthorityFile:dialect:)``
    /// refuses a URL with one).
    package var location: String { baseURL }

    /// Whether requests go over TLS.
    package var isSecure: Bool { baseURL.lowercased().hasPrefix("https://") }

    /// Whether the server is on this machine (``LoopbackHost``: `127.0.0.0/8`,
    /// `::1`, `localhost`; not a name such as `127.evil.example`).
    package var isLoopback: Bool {
        guard let host = URLComponents(string: baseURL)?.host else { return false }
        return LoopbackHost.contains(host)
    }

    /// `text` cut at its first `@`, `?` or `#`, for a message about a URL
    /// that may hold a secret.
    private static func withoutSecrets(_ text: String) -> String {
        let cut = text.firstIndex { $0 == "@" || $0 == "?" || $0 == "#" }
        return cut.map { String(text[..<$0]) + "…" } ?? text
    }
}
