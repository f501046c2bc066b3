import Foundation

extension SecretMasking {
    /// The most characters of what a server said that a message keeps.
    package static let serverTextLimit = 200

    /// What a server or proxy said (an error page, a JSON message, a
    /// header), made fit for a log line, the state file or a folder's
    /// status file: the start of it, at most `limit` characters, with every
    /// credential redacted (``redactingCredentials(in:)``, and `secrets`
    /// exactly), runs of blank space made one space, and control characters
    /// written as visible escapes.
    ///
    /// A server's text is never copied whole: some debug pages and proxies
    /// echo the request's headers, the agent's bearer token with them, and
    /// technicians read the files these messages go to.
    ///
    /// - Parameters:
    ///   - text: What the server said, as it came.
    ///   - secrets: Values to remove wherever they are, whatever their
    ///     shape: the token the request carried.
    ///   - limit: The most characters returned, the escapes and a closing
    ///     `…` included.
    package static func excerpt(of text: some StringProtocol, removing secrets: [String] = [], limit: Int = serverTextLimit) -> String {
        // Only the start is shown: redact a window a few times the limit
        // (redacting shortens), never a 64 MiB page. A credential the
        // window cuts in two loses its tail, so the word at the cut goes.
        let window = limit * 8
        var start = String(text.prefix(window + 1))
        if start.count > window {
            start.removeLast()
            start = start.lastIndex(where: \.isWhitespace).map { String(start[..<$0]) + " …" } ?? "…"
        }
        let redacted = redactingCredentials(in: scrub(start, removing: secrets))
        let words = redacted.split(whereSeparator: { $0.isWhitespace || $0.isNewline }).joined(separator: " ")
        return bounded(words, to: limit)
    }

    /// `text` with anything shaped like a credential replaced by `***`:
    /// the value of an `Authorization` header (`Authorization: Bearer …`,
    /// `"authorization": "…"`), a bearer token, a `nst_` token of `serve`,
    /// an Azure account key (88 characters of base64, or `AccountKey=…`), a
    /// SAS signature (`sig=…`), the password of a URL (`https://u:p@h`), and
    /// `password=…`, `token=…`-like fields.
    ///
    /// When a piece of text could be a credential, it goes: a message shows
    /// less, never a secret.
    package static func redactingCredentials(in text: String) -> String {
        var result = text
        // A header or field named like a credential: its whole value, to the
        // end of the line or its closing quote.
        result.replace(#/(?i)((?:proxy-)?authorization["']?\s*[:=]\s*["']?)[^"'\r\n<>,}\]]+/#) { $0.output.1 + "***" }
        result.replace(#/(?i)(\bbearer\s+)[A-Za-z0-9\-._~+/=]+/#) { $0.output.1 + "***" }
        result.replace(#/nst_[A-Za-z0-9_\-]+/#) { _ in "nst_***" }
        result.replace(#/(?i)(accountkey\s*=\s*)[^;&\s"'<]+/#) { $0.output.1 + "***" }
        result.replace(#/[A-Za-z0-9+/]{86}==/#) { _ in "***" }
        result.replace(#/(?i)(sig(?:=|%3D))[^&\s"'<]+/#) { $0.output.1 + "***" }
        result.replace(#/(?i)([a-z][a-z0-9+.\-]*://[^/\s:@"'<]*:)[^@\s/"'<]*@/#) { $0.output.1 + "***@" }
        result.replace(#/(?i)((?:password|passwd|pwd|secret|[a-z_]*token|api[_-]?key)["']?\s*[:=]\s*["']?)[^"'&\s<>,;}\]]+/#) {
            $0.output.1 + "***"
        }
        return result
    }

    /// `text` with its control characters escaped, cut to at most `limit`
    /// characters (a cut marked `…`), never in the middle of an escape.
    static func bounded(_ text: String, to limit: Int) -> String {
        let escaped = text.escapingControlCharacters
        guard escaped.count > limit else { return escaped }
        var kept = ""
        var count = 0
        for character in text {
            let piece = String(character).escapingControlCharacters
            guard count + piece.count < limit else { break }
            kept += piece
            count += piece.count
        }
        return kept + "…"
    }
}
