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
        /// The catalogue lacks the tables or columns Nachet uses.
        public static let schema = Code(name: "schema")
        /// The catalogue refused a write (disk full, read-only, constraint).
        public static let writeFailed = Code(name: "write failed")
        /// A row was not where it should be.
        public static let notFound = Code(name: "not found")

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
}
