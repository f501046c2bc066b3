import Foundation

/// A failure of the catalogue, said so that a user can act on it.
///
/// ``description`` never holds a password or a connection string.
public struct CatalogueError: Error, CustomStringConvertible, Sendable {
    /// A coarse kind, for callers that react differently.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        /// The catalogue cannot be reached or opened; later attempts may work.
        public static let unavailable = Code(name: "unavailable")
        /// The catalogue cannot be used as configured (wrong password, missing
        /// database, schema or tables, missing rights, server too old): a
        /// person must act; retrying alone will not help.
        public static let misconfigured = Code(name: "misconfigured")
        /// The catalogue refused a write (disk full, read-only, constraint).
        public static let writeFailed = Code(name: "write failed")
        /// A row was not where it should be.
        public static let notFound = Code(name: "not found")
        /// Several users' e-mails are one under the identity rule
        /// (``EmailKey``): nachet-sync acts for none of them until a person
        /// merges or renames them.
        public static let ambiguousUser = Code(name: "ambiguous user")

        public var description: String { name }
    }

    public var code: Code
    /// The message, with the fix.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }

    /// Whether every later write would fail the same way, so a pass should
    /// stop rather than record the same failure for every file.
    public var affectsEveryFile: Bool { code == .unavailable || code == .misconfigured }
}
