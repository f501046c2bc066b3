import Foundation

/// An error from libpq or the server, before it is turned into a message for
/// a user. Never holds the connection string.
package struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// The SQLSTATE code (`28P01`, `42P01`, …), when the server sent one.
    package var sqlState: String?
    /// The server's or libpq's message.
    package var message: String
    /// The server's hint, if any.
    package var hint: String?
    /// Whether the connection is gone (server down, network cut, restart).
    package var connectionLost: Bool
    /// Whether libpq cannot use the connection string as it is: `message`
    /// is then complete, with its fix, and retrying cannot help.
    package var connectionStringUnusable: Bool
    /// Whether no connection could be made for a reason that may pass (the
    /// server down, refusing connections, not answering, unresolvable):
    /// nothing was sent, so trying again is always safe.
    package var couldNotConnect = false
    /// How long connections were retried before this error, when they were.
    package var gaveUpAfter: Duration?

    package init(
        sqlState: String? = nil, message: String, hint: String? = nil, connectionLost: Bool = false, connectionStringUnusable: Bool = false
    ) {
        self.sqlState = sqlState
        self.message = message
        self.hint = hint
        self.connectionLost = connectionLost
        self.connectionStringUnusable = connectionStringUnusable
    }

    /// The message's first line (libpq adds hints on the next ones).
    package var firstLine: String {
        let text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        return text.split(separator: "\n").first.map(String.init) ?? text
    }

    package var description: String {
        message.trimmingCharacters(in: .whitespacesAndNewlines) + (hint.map { " (\($0))" } ?? "")
    }
}
