import Foundation

/// Hides passwords, keys and signatures in connection strings and URLs
/// before they reach a log line or an error message.
///
/// When a string cannot be read for sure, less of it is shown, never more:
/// any part that could be a secret is left out.
package enum SecretMasking {
    /// A connection string or URL, said without its secrets:
    ///
    /// - PostgreSQL, as libpq reads it (``PostgresConnectionString``):
    ///   `postgresql://u:secret@h/db` → `postgresql://u:***@h/db`,
    ///   `?password=x` → `?password=***`, `password = 'a b'` →
    ///   `password=***`; a string libpq cannot read shows its scheme at most.
    /// - Azure: `AccountKey=abc;` → `AccountKey=***;`; a SAS keeps its
    ///   public fields (`sv`, `se`, `sp`…) and loses `sig` and anything
    ///   unknown: `?sv=…&sig=abc` → `?sv=…&sig=***`.
    package static func maskConnectionString(_ value: String) -> String {
        if isAzure(value) {
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            return trimmed.contains("://") && !trimmed.contains(";") ? maskURL(trimmed) : maskAzureConnectionString(value)
        }
        return PostgresConnectionString.redacting(value)
    }

    /// `text` with every occurrence of each of `secrets` replaced by `***`.
    package static func scrub(_ text: String, removing secrets: [String]) -> String {
        // Longest first, so a secret holding another is removed whole.
        secrets.filter { !$0.isEmpty }.sorted { $0.count > $1.count }.reduce(text) { text, secret in
            text.replacingOccurrences(of: secret, with: "***")
        }
    }

    /// Whether `value` is an Azure connection string or blob URL rather
    /// than a PostgreSQL one.
    static func isAzure(_ value: String) -> Bool {
        let lowered = value.lowercased().trimmingCharacters(in: .whitespaces)
        return lowered.hasPrefix("https://") || lowered.hasPrefix("http://")
            || [
                "accountname=", "accountkey=", "sharedaccesssignature=", "blobendpoint=", "usedevelopmentstorage=",
                "defaultendpointsprotocol=",
            ]
            .contains { lowered.contains($0) }
    }

    // MARK: - Azure

    /// Fields of an Azure connection string shown as they are.
    private static let publicAzureFields: Set<String> = [
        "accountname", "defaultendpointsprotocol", "endpointsuffix", "usedevelopmentstorage",
    ]
    /// Fields whose value is a secret, shown as `Name=***`. A field of
    /// another name (misspelt, or a piece of a key after a stray `;`) is
    /// shown as `…`: its name could be part of the secret.
    /// Fields holding a URL, shown without its user password or signature.
    private static let azureURLFields: Set<String> = [
        "blobendpoint", "queueendpoint", "tableendpoint", "fileendpoint", "developmentstorageproxyuri",
    ]
    private static let secretAzureFields: Set<String> = ["accountkey"]
    /// SAS query parameters that are not secret: what the token allows and
    /// until when. The `sig` that proves it is shown as `sig=***`, and any
    /// other parameter as `…`.
    private static let publicSASParameters: Set<String> = [
        "sv", "ss", "srt", "sp", "se", "st", "spr", "sip", "sr", "si", "sdd", "ses", "skoid", "sktid", "skt", "ske", "sks", "skv",
        "saoid", "suoid", "scid", "rscc", "rscd", "rsce", "rscl", "rsct", "restype", "comp", "timeout",
    ]

    private static func maskAzureConnectionString(_ value: String) -> String {
        value.split(separator: ";", omittingEmptySubsequences: false).map { field -> String in
            guard let equals = field.firstIndex(of: "=") else {
                return field.trimmingCharacters(in: .whitespaces).isEmpty ? String(field) : "…"
            }
            let name = field[..<equals]
            let key = name.trimmingCharacters(in: .whitespaces).lowercased()
            let content = String(field[field.index(after: equals)...])
            if publicAzureFields.contains(key) { return String(field) }
            if azureURLFields.contains(key) { return name + "=" + maskURL(content) }
            if key == "sharedaccesssignature" { return name + "=" + maskSASQuery(content) }
            return secretAzureFields.contains(key) ? name + "=***" : "…"
        }.joined(separator: ";")
    }

    /// A URL without the password of its user information, with its query
    /// masked as a SAS and without its fragment.
    static func maskURL(_ url: String) -> String {
        guard let separator = url.range(of: "://") else { return url.isEmpty ? url : "…" }
        var rest = String(url[separator.upperBound...])
        if let hash = rest.firstIndex(of: "#") { rest = String(rest[..<hash]) }
        var query: String?
        if let question = rest.firstIndex(of: "?") {
            query = String(rest[rest.index(after: question)...])
            rest = String(rest[..<question])
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        var authority = String(rest[..<authorityEnd])
        if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
            authority.replaceSubrange(authority.index(after: colon)..<at, with: "***")
        }
        return url[..<separator.upperBound] + authority + rest[authorityEnd...] + (query.map { "?" + maskSASQuery($0) } ?? "")
    }

    /// `sv=…&sig=abc` → `sv=…&sig=***`: only the public parameters of a
    /// SAS are shown.
    static func maskSASQuery(_ query: String) -> String {
        let leading = query.hasPrefix("?") ? "?" : ""
        return leading
            + query.dropFirst(leading.count).split(separator: "&", omittingEmptySubsequences: false).map { parameter -> String in
                guard let equals = parameter.firstIndex(of: "=") else { return parameter.isEmpty ? "" : "…" }
                let name = String(parameter[..<equals])
                let key = (name.removingPercentEncoding ?? name).trimmingCharacters(in: .whitespaces).lowercased()
                if publicSASParameters.contains(key) { return String(parameter) }
                return key == "sig" ? name + "=***" : "…"
            }.joined(separator: "&")
    }
}
