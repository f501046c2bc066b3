import Foundation
import NachetSync

/// The bearer tokens `serve` accepts, as read from the tokens file: each
/// token's SHA-256, and what it grants.
///
/// The file holds hashes, never tokens: a token is 256 random bits, so its
/// SHA-256 cannot be turned back into it, and a copy of the file (a backup,
/// a leaked configuration) lets nobody in. A slow password hash would add
/// nothing for secrets that long. The server hashes the token a request
/// presents and looks the hash up.
///
/// The format, one grant a line (`#` starts a comment):
///
/// ```
/// # name       token hash                                                               users
/// lab-pc-3     sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08  tech@lab.example other@lab.example
/// ops-alice    sha256:60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752  @admin
/// ```
///
/// A line whose only user is ``adminMarker`` is an administrator's: it
/// opens the fleet page and acts for no user.
package struct AccessTokens: Sendable {
    /// The third field of an administrator's line.
    package static let adminMarker = "@admin"

    /// Grants by the SHA-256 of their token.
    private let grants: [ContentHash: TokenGrant]

    /// No token at all: every request is refused.
    package static let none = AccessTokens(grants: [:])

    private init(grants: [ContentHash: TokenGrant]) {
        self.grants = grants
    }

    /// How many tokens are accepted.
    package var count: Int { grants.count }

    /// The names of the lab PCs' tokens (administrators' aside).
    package var labPCNames: Set<String> { Set(grants.values.filter { !$0.isFleetAdmin }.map(\.name)) }

    /// The grant of `token`, or `nil` when the file has no line for it (an
    /// unknown or revoked token).
    package func grant(forToken token: String) -> TokenGrant? {
        grants[Self.hash(token)]
    }

    /// The hash under which the file keeps `token`.
    package static func hash(_ token: String) -> ContentHash {
        SHA256Digest.hash(Array(token.utf8))
    }

    /// The grants of a tokens file's text. Lines may end as on Windows
    /// (`\r\n`) and the file may start with a byte order mark
    /// (``TextFileLines``).
    /// - Throws: ``TokensFileError`` naming the line (by its number, never
    ///   its words) of the first mistake.
    package static func parse(_ text: String, file: String) throws(TokensFileError) -> AccessTokens {
        var grants: [ContentHash: TokenGrant] = [:]
        var names: Set<String> = []
        for (number, rawLine) in TextFileLines.numbered(text) {
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let words = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard !words.isEmpty else { continue }
            let place = "\(file):\(number)"
            guard words.count >= 3 else {
                throw TokensFileError("\(place): expected `NAME sha256:HASH EMAIL…` (`nachet-sync serve token add` writes such lines)")
            }
            let name = words[0]
            guard TokensFile.isValidName(name) else {
                throw TokensFileError("\(place): the name (first field) may hold only letters, digits, '.', '-' and '_', 64 at most")
            }
            guard names.insert(name).inserted else { throw TokensFileError("\(place): the name \(name) is given twice; names must differ") }
            guard words[1].hasPrefix("sha256:"), let hash = ContentHash(hex: String(words[1].dropFirst("sha256:".count))) else {
                throw TokensFileError(
                    "\(place): the second field must be sha256: and the token's 64-hex-digit SHA-256, not the token itself (`nachet-sync serve token add` makes both)"
                )
            }
            guard grants[hash] == nil else { throw TokensFileError("\(place): this token hash is given twice") }
            let users = Array(words[2...])
            if users.contains(Self.adminMarker) {
                guard users == [Self.adminMarker] else {
                    throw TokensFileError("\(place): \(Self.adminMarker) makes an administrator's token, which acts for no user; name no e-mail beside it")
                }
                grants[hash] = TokenGrant(name: name, users: [], isFleetAdmin: true)
                continue
            }
            if let wrong = users.firstIndex(where: { !Self.looksLikeEmail($0) }) {
                throw TokensFileError("\(place): field \(wrong + 3) is not an e-mail address; list the users this token may act for")
            }
            grants[hash] = TokenGrant(name: name, users: Set(users))
        }
        return AccessTokens(grants: grants)
    }

    private static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
    }
}

/// A tokens file that cannot be used, with the line and the fix.
package struct TokensFileError: Error, CustomStringConvertible, Sendable {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
