import Foundation
import NachetSync

/// What one line of the tokens file grants: the PC (or person) it names,
/// and the users it may act for; or, for an administrator's token, the
/// fleet page and nothing else.
package struct TokenGrant: Sendable, Hashable {
    /// The name the line gives, such as `lab-pc-3`: how access logs say who
    /// called, since the token itself is never written anywhere.
    package var name: String
    /// The e-mails it may act for, by the key the catalogue compares them
    /// by (``EmailKey``): `Éve@lab.example` and `éve@lab.example` are one
    /// grant, as they are one user.
    package var users: Set<EmailKey>
    /// Whether the token is an administrator's (`@admin` in the tokens
    /// file): it opens the fleet page (`/fleet`, `/fleet.json`) and no
    /// route of Nachet's; a lab PC's token never opens the fleet page.
    package var isFleetAdmin: Bool

    package init(name: String, users: some Sequence<String>, isFleetAdmin: Bool = false) {
        self.name = name
        self.users = Set(users.map(EmailKey.init))
        self.isFleetAdmin = isFleetAdmin
    }

    /// Whether this grant may act for the user registered with `email`,
    /// compared as the catalogue compares e-mails (``EmailKey``).
    ///
    /// - Important: A catalogue may hold several users whose e-mails have
    ///   one key (Nachet's own datastore compares e-mails exactly); the
    ///   caller must make sure the user is the only one with its key
    ///   before acting for it (``UserAccess``).
    package func mayActFor(email: String) -> Bool {
        users.contains(EmailKey(email))
    }
}
