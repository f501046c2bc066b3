import Foundation

/// Who a request comes from, as the server knows it once authenticated.
enum Caller: Sendable {
    /// A request to a server started with `--insecure-dev-no-auth` (on
    /// loopback only): it may act for every user, as with Nachet's backend.
    case developer
    /// A request with a valid bearer token.
    case token(TokenGrant)

    /// Whether the caller may act for the user registered with `email`.
    func mayActFor(email: String) -> Bool {
        switch self {
        case .developer: true
        case .token(let grant): grant.mayActFor(email: email)
        }
    }

    /// The lab PC the request comes from, as the fleet names it: the
    /// token's name (``developerName`` without tokens); `nil` for an
    /// administrator, who is no lab PC.
    var machine: String? {
        switch self {
        case .developer: Self.developerName
        case .token(let grant): grant.isFleetAdmin ? nil : grant.name
        }
    }

    /// Whether the caller may see the fleet page: an administrator's token,
    /// or anyone on a server without tokens (loopback only).
    var mayViewFleet: Bool {
        switch self {
        case .developer: true
        case .token(let grant): grant.isFleetAdmin
        }
    }

    /// What names the caller of a server without tokens.
    static let developerName = "insecure-dev"

    /// How access logs name the caller: the token's name, never the token.
    var logName: String {
        switch self {
        case .developer: Self.developerName
        case .token(let grant): grant.name
        }
    }
}
