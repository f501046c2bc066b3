import Foundation
import Synchronization

/// The tokens a running server accepts, read from the tokens file at start
/// and again on ``reload()`` (SIGHUP): a revoked token (its line deleted)
/// is refused from then on. A file with a mistake is refused and the tokens
/// read before are kept, so a typo never locks every PC out.
package final class TokenRegistry: Sendable {
    /// The tokens file.
    package let path: String
    private let tokens: Mutex<AccessTokens>

    /// Reads the tokens file at `path`.
    /// - Throws: ``TokensFileError`` when it cannot be read or has a mistake.
    package init(path: String) throws(TokensFileError) {
        self.path = path
        tokens = Mutex(try TokensFile.read(path))
    }

    /// Reads the file again and uses it from now on; on a mistake, keeps
    /// the tokens in use and throws.
    /// - Returns: How many tokens are now accepted.
    @discardableResult
    package func reload() throws(TokensFileError) -> Int {
        let reloaded = try TokensFile.read(path)
        tokens.withLock { $0 = reloaded }
        return reloaded.count
    }

    /// How many tokens are accepted.
    package var count: Int { tokens.withLock { $0.count } }

    /// The names of the lab PCs' tokens: the fleet lists those never seen too.
    package var labPCNames: Set<String> { tokens.withLock { $0.labPCNames } }

    /// What is wrong with the file though it can be read (no token, other
    /// users may write it), checked now: said at start and at each reload.
    package var warnings: [String] {
        TokensFile.warnings(path: path, tokens: tokens.withLock { $0 })
    }

    /// The grant of `token`, or `nil` for an unknown or revoked token.
    package func grant(forToken token: String) -> TokenGrant? {
        tokens.withLock { $0.grant(forToken: token) }
    }
}
