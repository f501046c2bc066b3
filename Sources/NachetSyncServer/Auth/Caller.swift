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

    /// How access logs name the caller: the token's name, never the token.
    var logName: String {
        switch self {
        case .developer: "insecure-dev"
        case .token(let grant): grant.name
        }
    }
}
