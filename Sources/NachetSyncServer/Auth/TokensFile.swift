import Foundation
import Glibc
import NachetSync

/// The tokens file on disk: reading it, and adding a new token to it.
package enum TokensFile {
    /// The grants of the file at `path`.
    /// - Throws: ``TokensFileError`` when it cannot be read or has a mistake.
    package static func read(_ path: String) throws(TokensFileError) -> AccessTokens {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw TokensFileError(
                "\(path): cannot read the tokens file (\(error.localizedDescription)); check the path and that the service's user may read it"
            )
        }
        return try AccessTokens.parse(text, file: path)
    }

    /// What is wrong with the tokens file at `path` though it can be read,
    /// holding `tokens`: said at start and at each reload, each with its fix.
    ///
    /// - A file with no token refuses every request (401): a file emptied
    ///   by mistake would lock every PC out without a word.
    /// - A file other users may write (group or others): anyone who can
    ///   write it can add a token of their own, for any user.
    package static func warnings(path: String, tokens: AccessTokens) -> [String] {
        var warnings: [String] = []
        if tokens.count == 0 {
            warnings.append(
                "the tokens file \(path) holds no token: every request is refused (401); add one with `nachet-sync serve token add --tokens-file \(path) NAME EMAIL…`, then reload (`systemctl reload nachet-sync-serve`)"
            )
        }
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & 0o022 != 0 {
            let writers = status.st_mode & 0o002 != 0 ? "every user of this machine" : "the members of its group"
            warnings.append(
                "the tokens file \(path) may be written by \(writers) (mode \(PrivateFiles.octal(status.st_mode & 0o7777))): whoever can write it can add a token of their own; run `chmod 600 \(path)` (or `chmod 640` with a group of the service's own)"
            )
        }
        return warnings
    }

    /// Whether `name` can name a grant: letters, digits, `.`, `-`, `_`.
    package static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 64
            && name.unicodeScalars.allSatisfy {
                $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0))
            }
    }

    /// A new token: `nst_` and 32 random bytes from the system's
    /// cryptographic generator, in base64url.
    package static func makeToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let text = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        return "nst_" + text
    }

    /// Makes a token for `users`, named `name`, appends its line to the file
    /// at `path` (created readable by its owner only when missing), and
    /// returns the token: the only time it is shown.
    ///
    /// - Parameter admin: An administrator's token (`@admin`): it opens the
    ///   fleet page, acts for no user, and `users` must be empty.
    /// - Throws: ``TokensFileError`` when the file has a mistake already, the
    ///   name is taken, or the file cannot be written.
    package static func add(name: String, users: [String], admin: Bool = false, to path: String) throws(TokensFileError) -> String {
        guard isValidName(name) else { throw TokensFileError("the name \"\(name)\" may hold only letters, digits, '.', '-' and '_'") }
        guard admin ? users.isEmpty : !users.isEmpty else {
            throw TokensFileError(admin ? "an administrator's token acts for no user: name none" : "name at least one user (e-mail) the token may act for")
        }
        var existing = ""
        if FileManager.default.fileExists(atPath: path) {
            existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            _ = try AccessTokens.parse(existing, file: path)
            let taken = TextFileLines.numbered(existing).contains { $0.line.split(whereSeparator: \.isWhitespace).first.map(String.init) == name }
            if taken { throw TokensFileError("\(path): a token named \(name) exists; choose another name, or delete its line first") }
        }
        let token = makeToken()
        var line = "\(name) sha256:\(AccessTokens.hash(token).hex) \(admin ? AccessTokens.adminMarker : users.joined(separator: " "))\n"
        if existing.isEmpty {
            line =
                "# nachet-sync serve: bearer tokens, one a line: NAME sha256:HASH EMAIL… (or @admin: the fleet page); delete a line to revoke it, then reload\n"
                + line
        } else if !TextFileLines.endsWithLineEnd(existing) {
            line = "\n" + line
        }
        // Checked again as the file will read, so a bad e-mail is refused now.
        _ = try AccessTokens.parse(existing + line, file: path)
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw TokensFileError("\(path): cannot write the tokens file (\(String(cString: strerror(errno))))") }
        defer { close(descriptor) }
        let bytes = Array(line.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count, fsync(descriptor) == 0 else {
            throw TokensFileError("\(path): cannot write the tokens file (\(String(cString: strerror(errno))))")
        }
        return token
    }
}
