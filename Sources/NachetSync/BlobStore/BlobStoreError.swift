import Foundation

/// A failure of the blob store, said so that a user can act on it.
///
/// ``description`` never holds an account key or a SAS signature.
package struct BlobStoreError: Error, CustomStringConvertible, Sendable {
    /// A coarse kind, for callers that react differently.
    package struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String

        /// The store cannot be reached; later attempts may work.
        package static let unavailable = Code(name: "unavailable")
        /// The store refused the credentials or the operation.
        package static let denied = Code(name: "denied")
        /// No room left for the bytes.
        package static let full = Code(name: "full")
        /// The source file changed between hashing and upload; hash it again later.
        package static let contentChanged = Code(name: "content changed")
        /// The source file could not be read.
        package static let sourceUnreadable = Code(name: "source unreadable")
        /// Anything else.
        package static let failed = Code(name: "failed")

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

    /// The bytes stored would not be the bytes hashed: the file changed
    /// after it was hashed, and is taken again once it is stable.
    static func contentChanged(actual: ContentHash, expected: ContentHash) -> BlobStoreError {
        BlobStoreError(
            .contentChanged,
            "the file changed while it was being stored (SHA-256 \(actual.hex.prefix(12))… instead of \(expected.hex.prefix(12))…); it will be taken again once it stops changing"
        )
    }

    /// The file at `path` is not what it was when it was opened or hashed
    /// (its size, time or checksum differ): nothing of it is stored.
    static func sourceChanged(path: String) -> BlobStoreError {
        BlobStoreError(
            .contentChanged,
            "\(path): the file changed while it was being stored; it will be taken again once it stops changing"
        )
    }

    /// Whether every later upload would fail the same way (store unreachable,
    /// credentials refused, disk full), so a pass should stop and retry later
    /// rather than record the same failure for every file.
    package var affectsEveryFile: Bool { code == .unavailable || code == .denied || code == .full }
}
