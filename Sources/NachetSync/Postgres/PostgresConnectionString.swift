import CLibpq
import Foundation

/// A libpq connection string, URL (`postgresql://…`) or `key=value` form,
/// read by libpq's own parser (`PQconninfoParse`), so the agent sees it as
/// libpq will, and can say it back without its password.
///
/// Strings libpq reads in a way the user probably did not mean are refused
/// too: a URL with an `@` after the one that ends its user information, or
/// a port that is not a number, is most likely a password holding an
/// unencoded `@`, `/` or `:`, whose pieces libpq would take as host, port
/// or database name, and quote in its error messages.
package struct PostgresConnectionString: Sendable {
    /// One option as libpq read it.
    package struct Option: Sendable, Equatable {
        package var keyword: String
        package var value: String
        /// Whether libpq hides the value (`password`, `sslpassword`).
        package var isSecret: Bool
    }

    /// The options the string sets, in libpq's order.
    package let options: [Option]
    /// The string as given; never to be printed.
    private let text: String
    private let isURL: Bool

    /// Reads `text` with libpq's parser.
    ///
    /// - Throws: ``PostgresConnectionStringError``, whose message never holds
    ///   any part of `text` that could be a password.
    package init(parsing text: String) throws(PostgresConnectionStringError) {
        self.text = text
        isURL = Self.isURL(text)
        var failure: UnsafeMutablePointer<CChar>?
        guard let parsed = PQconninfoParse(text, &failure) else {
            let message = failure.map { String(cString: $0) } ?? "out of memory"
            PQfreemem(failure)
            throw PostgresConnectionStringError(libpqMessage: message, isURL: isURL)
        }
        defer { PQconninfoFree(parsed) }
        var options: [Option] = []
        var option = parsed
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val {
                options.append(
                    Option(
                        keyword: String(cString: keyword), value: String(cString: value),
                        isSecret: option.pointee.dispchar.map { String(cString: $0) == "*" } ?? false))
            }
            option += 1
        }
        self.options = options
        try checkMeaning()
    }

    /// `text` said without secrets; a string libpq cannot read is said with
    /// as little as possible (its scheme for a URL), as any part of it could
    /// be a password.
    package static func redacting(_ text: String) -> String {
        do {
            return try PostgresConnectionString(parsing: text).redacted
        } catch {
            if isURL(text), let scheme = text.range(of: "://") {
                return text[..<scheme.upperBound] + "… (not shown: libpq cannot read it)"
            }
            return "a libpq key=value string (not shown: libpq cannot read it)"
        }
    }

    /// Whether `text` holds a password (or, libpq being unable to read it,
    /// may hold one).
    package static func holdsSecret(_ text: String) -> Bool {
        do {
            return try PostgresConnectionString(parsing: text).options.contains { $0.isSecret && !$0.value.isEmpty }
        } catch {
            return true
        }
    }

    /// The string with every secret value replaced by `***`: a URL stays a
    /// URL (`postgresql://user:***@host/db`); a `key=value` string is said
    /// back as libpq read it (`host=db user=nachet password=***`).
    ///
    /// As a last guard, a password inside a connection string given as the
    /// value of another option (libpq takes it as a database name) becomes
    /// `***` wherever it still shows.
    package var redacted: String {
        SecretMasking.scrub(isURL ? redactedURL : redactedKeywords, removing: nestedSecrets)
    }

    /// The value of `keyword`, when the string sets it.
    package subscript(keyword: String) -> String? {
        options.last { $0.keyword == keyword }?.value
    }

    /// `message` (from libpq or the server, about a connection made with
    /// this string) with every secret of the string replaced by `***`.
    package func scrubbing(_ message: String) -> String {
        SecretMasking.scrub(message, removing: secrets)
    }

    /// Every secret the string holds: the values of secret options, the
    /// password of a URL as written (percent-encoded), and the nested ones.
    private var secrets: [String] {
        var secrets = options.filter(\.isSecret).map(\.value) + nestedSecrets
        if let written = urlParts?.password { secrets.append(written) }
        return secrets
    }

    /// The secrets of a connection string given as the value of another
    /// option: libpq would take it as a database name, which the server's
    /// messages quote. One it cannot read counts as a secret whole.
    private var nestedSecrets: [String] {
        options.filter { !$0.isSecret && Self.looksLikeConnectionString($0.value) }.flatMap { option in
            (try? PostgresConnectionString(parsing: option.value)).map(\.secrets) ?? [option.value]
        }
    }

    // MARK: - Checks

    /// Refuses what libpq reads, but not as the user meant.
    private func checkMeaning() throws(PostgresConnectionStringError) {
        if let parts = urlParts, parts.hostAndPort.contains("@") || parts.path.contains("@") {
            throw PostgresConnectionStringError(
                reason: "the URL holds an \"@\" after the one that ends the user name and password",
                fix: PostgresConnectionStringError.urlFix)
        }
        if let port = self["port"], !port.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ",") }) {
            throw PostgresConnectionStringError(
                reason: "its port is not a number",
                fix: isURL ? PostgresConnectionStringError.urlFix : "give the port as digits, e.g. port=5432")
        }
    }

    // MARK: - Saying it back

    private var redactedKeywords: String {
        options.map { option in
            let shown =
                option.isSecret
                ? "***"
                : Self.looksLikeConnectionString(option.value) ? Self.quoted(Self.redacting(option.value)) : Self.quoted(option.value)
            return option.keyword + "=" + shown
        }.joined(separator: " ")
    }

    /// The URL with the password of its user information and the values of
    /// secret query parameters replaced. Only called once libpq read the
    /// URL and ``checkMeaning()`` found no `@` after the user information's.
    private var redactedURL: String {
        guard let parts = urlParts else { return "postgresql://…" }
        var result = parts.scheme + "://"
        if let user = parts.user { result += user + (parts.password == nil ? "" : ":***") + "@" }
        result += parts.hostAndPort
        // A database name that is a connection string of its own is not shown.
        let hidesDatabase = self["dbname"].map(Self.looksLikeConnectionString) == true
        result += hidesDatabase && !parts.path.isEmpty ? "/…" : parts.path
        if let query = parts.query {
            let secretKeywords = Set(Self.secretKeywords)
            result +=
                "?"
                + query.split(separator: "&", omittingEmptySubsequences: false).map { parameter in
                    guard let equals = parameter.firstIndex(of: "=") else { return "…" }
                    let key = String(parameter[..<equals])
                    let decoded = key.removingPercentEncoding ?? key
                    return secretKeywords.contains(decoded) || (hidesDatabase && decoded == "dbname") ? key + "=***" : String(parameter)
                }.joined(separator: "&")
        }
        return result
    }

    /// A URL cut as libpq cuts it: the user information runs to the first
    /// `@` when one comes before the first `/` (a `?` does not end it), the
    /// host and port to the next `/` or `?`, the path to the `?`.
    private var urlParts: (scheme: String, user: String?, password: String?, hostAndPort: String, path: String, query: String?)? {
        guard isURL, let separator = text.range(of: "://") else { return nil }
        let scheme = String(text[..<separator.lowerBound])
        var rest = text[separator.upperBound...]
        var user: String?
        var password: String?
        if let end = rest.firstIndex(where: { $0 == "@" || $0 == "/" }), rest[end] == "@" {
            let information = rest[..<end]
            if let colon = information.firstIndex(of: ":") {
                user = String(information[..<colon])
                password = String(information[information.index(after: colon)...])
            } else {
                user = String(information)
            }
            rest = rest[rest.index(after: end)...]
        }
        let question = rest.firstIndex(of: "?")
        let beforeQuery = rest[..<(question ?? rest.endIndex)]
        let slash = beforeQuery.firstIndex(of: "/") ?? beforeQuery.endIndex
        return (
            scheme, user, password, String(beforeQuery[..<slash]), String(beforeQuery[slash...]),
            question.map { String(rest[rest.index(after: $0)...]) }
        )
    }

    /// Whether `value` reads as a connection string of its own.
    private static func looksLikeConnectionString(_ value: String) -> Bool {
        isURL(value) || CatalogueLocation.startsWithKeyword(value)
    }

    private static func isURL(_ text: String) -> Bool {
        let lowered = text.lowercased()
        return lowered.hasPrefix("postgresql://") || lowered.hasPrefix("postgres://")
    }

    /// A value as a `key=value` string needs it: quoted when empty or when
    /// it holds a space, a quote or a backslash.
    private static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "'" || $0 == "\\" }) else { return value }
        return "'" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
    }

    /// The keywords whose values libpq itself hides (`password`, `sslpassword`).
    package static let secretKeywords: [String] = {
        guard let defaults = PQconndefaults() else { return ["password", "sslpassword"] }
        defer { PQconninfoFree(defaults) }
        var keywords: [String] = []
        var option = defaults
        while let keyword = option.pointee.keyword {
            if option.pointee.dispchar.map({ String(cString: $0) == "*" }) ?? false { keywords.append(String(cString: keyword)) }
            option += 1
        }
        return keywords
    }()
}
