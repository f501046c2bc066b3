import Foundation

/// A failure of the catalogue, said so that a user can act on it.
///
/// ``description`` never holds a password or a connection string.
package struct CatalogueError: Error, CustomStringConvertible, Sendable {
    /// A coarse kind, for callers that react differently.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        /// The catalogue cannot be reached or opened; later attempts may work.
        package static let unavailable = Code(name: "unavailable")
        /// The catalogue cannot be used as configured (wrong password, missing
        /// database, schema or tables, missing rights, server too old): a
        /// person must act; retrying alone will not help.
        package static let misconfigured = Code(name: "misconfigured")
        /// The catalogue refused a write (disk full, read-only, constraint).
        package static let writeFailed = Code(name: "write failed")
        /// A row was not where it should be.
        package static let notFound = Code(name: "not found")
        /// Several users' e-mails are one under the identity rule
        /// (``EmailKey``): nachet-sync acts for none of them until a person
        /// merges or renames them.
        package static let ambiguousUser = Code(name: "ambiguous user")

        package var description: String { name }
    }

    package var code: Code
    /// The message, with the fix.
    package var message: String

    package init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    package var description: String { message }

    /// Whether every later write would fail the same way, so a pass should
    /// stop rather than record the same failure for every file.
    package var affectsEveryFile: Bool { code == .unavailable || code == .misconfigured }
}
