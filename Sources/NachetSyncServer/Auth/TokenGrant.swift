import Foundation

/// What one line of the tokens file grants: the PC (or person) it names,
/// and the users it may act for.
public struct TokenGrant: Sendable, Hashable {
    /// The name the line gives, such as `lab-pc-3`: how access logs say who
    /// called, since the token itself is never written anywhere.
    public var name: String
    /// The e-mails it may act for, lower-cased.
    public var users: Set<String>

    public init(name: String, users: Set<String>) {
        self.name = name
        self.users = Set(users.map { $0.lowercased() })
    }

    /// Whether this grant may act for the user registered with `email`
    /// (compared without case, as the catalogue compares e-mails).
    public func mayActFor(email: String) -> Bool {
        users.contains(email.lowercased())
    }
}
