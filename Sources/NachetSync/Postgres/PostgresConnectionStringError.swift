import Foundation

/// A PostgreSQL connection string libpq cannot read, or reads as the user
/// probably did not mean, said with the fix.
///
/// ``description`` never holds any part of the string: libpq's own messages
/// quote the token they stopped at (`missing "=" after "…"`, `invalid
/// percent-encoded token: "…"`), which may be a piece of the password, so
/// they are said again in words that hold nothing of the string.
package struct PostgresConnectionStringError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, without any part of the string.
    package var reason: String
    /// What to do about it.
    package var fix: String

    package init(reason: String, fix: String) {
        self.reason = reason
        self.fix = fix
    }

    /// libpq's message about a string it cannot read, said in words of
    /// its own: libpq quotes the token it stopped at, which may be a piece
    /// of the password, so none of its quoted text is kept.
    init(libpqMessage: String, isURL: Bool) {
        self.init(reason: Self.reason(forLibpqMessage: libpqMessage), fix: isURL ? Self.urlFix : Self.keywordsFix)
    }

    package var description: String {
        "the PostgreSQL connection string (--catalogue or \(Setting.catalogue.variable)) cannot be used: \(reason); \(fix)"
    }

    static let urlFix =
        "percent-encode the characters of the user name and password that a URL reserves (@ as %40, : as %3A, / as %2F, % as %25, space as %20), "
        + "or give the password in PGPASSWORD or ~/.pgpass"

    static let keywordsFix =
        "write key=value pairs separated by spaces, with a value holding spaces, quotes or backslashes in single quotes "
        + "(password='a b\\'c'), or give the password in PGPASSWORD or ~/.pgpass"

    /// What libpq's parser found wrong, by the fixed part of its message.
    /// A message not listed here (a newer libpq, or one speaking another
    /// language) is not shown: it may quote a piece of the password.
    static func reason(forLibpqMessage message: String) -> String {
        let known: [(libpqSays: String, reason: String)] = [
            ("missing \"=\" after", "a word is not followed by \"=\" (is a value with spaces missing its quotes?)"),
            ("invalid connection option", "it names an option libpq does not know"),
            ("unterminated quoted string", "a quoted value is not closed"),
            ("invalid percent-encoded token", "a % is not followed by two hexadecimal digits"),
            ("forbidden value %00", "it holds %00"),
            ("key/value separator", "a query parameter (after ?) is not one key=value"),
            ("invalid URI query parameter", "a query parameter (after ?) names an option libpq does not know"),
            ("IPv6 host address", "an IPv6 address in [ ] is empty or not closed"),
            ("unexpected character", "an unexpected character follows the host (expected \":\" or \"/\")"),
            ("out of memory", "libpq ran out of memory reading it"),
        ]
        return known.first { message.contains($0.libpqSays) }?.reason ?? "libpq cannot read it"
    }
}
