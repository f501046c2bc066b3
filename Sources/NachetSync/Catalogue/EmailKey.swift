import Foundation

/// What an e-mail address is compared by: nachet-sync's one rule for
/// telling whether two spellings name one user, used by both catalogues
/// (SQLite and PostgreSQL), the tokens file's grants, `/get-user-id` and
/// `user add` alike.
///
/// The key is the address in Unicode's composed form (NFC), case-folded
/// with Unicode's full case folding (`É` → `é`, `ß` → `ss`, the Kelvin sign
/// → `k`), composed again. Nothing else is changed: no white space trimmed,
/// no dots or `+tags` removed (mail servers differ on those).
///
/// Nachet's own datastore compares e-mails exactly (`WHERE email = $1`), so
/// a catalogue may hold two spellings of one address (`Éve@lab.example`
/// and `éve@lab.example`). nachet-sync then acts for neither
/// (``CatalogueError/Code-swift.struct/ambiguousUser``) rather than pick
/// one: a token granted one spelling must never reach the other's pictures.
package struct EmailKey: Hashable, Sendable, CustomStringConvertible {
    /// The folded address.
    package let text: String

    /// The key of `email`.
    package init(_ email: String) {
        text = email.precomposedStringWithCanonicalMapping
            .folding(options: .caseInsensitive, locale: nil)
            .precomposedStringWithCanonicalMapping
    }

    package var description: String { text }

    /// The one user among `candidates` whose e-mail has this key, or `nil`.
    ///
    /// - Parameters:
    ///   - candidates: Users a catalogue read as possibly having this key
    ///     (at least every one that has it), oldest first.
    ///   - email: The address asked for, for the message.
    /// - Throws: ``CatalogueError/Code-swift.struct/ambiguousUser`` naming
    ///   them when several users have this key.
    func user(among candidates: [CatalogueUser], asked email: String) throws(CatalogueError) -> CatalogueUser? {
        let matching = candidates.filter { EmailKey($0.email) == self }
        guard matching.count > 1 else { return matching.first }
        let listed = matching.map { "\"\($0.email)\" (user \($0.id.lowercased))" }.joined(separator: ", ")
        throw CatalogueError(
            .ambiguousUser,
            "\"\(email)\" names \(matching.count) users of the catalogue, whose e-mails differ only in case or Unicode form: \(listed); "
                + "nachet-sync takes them as one person and acts for none of them: keep one of these users in the catalogue "
                + "(move the other's picture sets to it, then remove it) or give it another address"
        )
    }
}

extension CatalogueUser {
    /// The key this user's e-mail is compared by.
    package var emailKey: EmailKey { EmailKey(email) }
}
