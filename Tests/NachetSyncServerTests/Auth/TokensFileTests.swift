import Foundation
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Testing

/// The tokens file: hashes, never tokens; each mistake named by its line.
@Suite("serve: the tokens file")
struct TokensFileTests {
    @Test func addingATokenWritesItsHashOnlyAndTheFileGrantsIt() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("tokens")
        let token = try TokensFile.add(name: "lab-pc-3", users: ["Tech@Lab.example", "other@lab.example"], to: path)
        #expect(token.hasPrefix("nst_") && token.count == 47)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains(token))
        #expect(text.contains("lab-pc-3 sha256:\(AccessTokens.hash(token).hex) Tech@Lab.example other@lab.example"))
        var status = stat()
        #expect(stat(path, &status) == 0 && status.st_mode & 0o777 == 0o600)

        let tokens = try TokensFile.read(path)
        let grant = try #require(tokens.grant(forToken: token))
        #expect(grant.name == "lab-pc-3")
        #expect(grant.mayActFor(email: "tech@lab.EXAMPLE") && grant.mayActFor(email: "other@lab.example"))
        #expect(!grant.mayActFor(email: "third@lab.example"))
        #expect(tokens.grant(forToken: token.uppercased()) == nil)

        #expect(throws: TokensFileError.self) { try TokensFile.add(name: "lab-pc-3", users: ["x@lab.example"], to: path) }
        #expect(throws: TokensFileError.self) { try TokensFile.add(name: "bad name", users: ["x@lab.example"], to: path) }
        #expect(throws: TokensFileError.self) { try TokensFile.add(name: "lab-pc-4", users: ["not-an-email"], to: path) }
        #expect(try TokensFile.read(path).count == 1)
        #expect(try TokensFile.add(name: "lab-pc-4", users: ["x@lab.example"], to: path) != token)
        #expect(try TokensFile.read(path).count == 2)
    }

    /// An administrator's line (`@admin`) grants the fleet page and no user;
    /// the fleet lists the lab PCs' names, not the administrators'.
    @Test func anAdministratorsTokenActsForNoUserAndIsNoLabPC() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("tokens")
        _ = try TokensFile.add(name: "lab-pc-3", users: ["tech@lab.example"], to: path)
        let admin = try TokensFile.add(name: "ops-alice", users: [], admin: true, to: path)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("ops-alice sha256:\(AccessTokens.hash(admin).hex) @admin\n"))

        let tokens = try TokensFile.read(path)
        let grant = try #require(tokens.grant(forToken: admin))
        #expect(grant.isFleetAdmin && grant.users.isEmpty && !grant.mayActFor(email: "tech@lab.example"))
        #expect(tokens.labPCNames == ["lab-pc-3"])
        #expect(throws: TokensFileError.self) { try TokensFile.add(name: "ops-bob", users: ["x@lab.example"], admin: true, to: path) }
        #expect(throws: TokensFileError.self) { try TokensFile.add(name: "ops-bob", users: [], to: path) }
        let hash = "sha256:" + String(repeating: "c", count: 64)
        #expect(throws: TokensFileError.self) { try AccessTokens.parse("ops \(hash) @admin tech@lab.example\n", file: "tokens") }
    }

    @Test func eachMistakeIsNamedWithItsLine() {
        let hash = "sha256:" + String(repeating: "a", count: 64)
        let cases: [(String, String)] = [
            ("lab-pc-1 \(hash)\n", "tokens:1: expected `NAME sha256:HASH EMAIL…`"),
            ("# comment\n\nlab-pc-1 nst_abcdef tech@lab.example\n", "tokens:3: the second field must be sha256:"),
            (
                "lab-pc-1 \(hash) tech@lab.example\nlab-pc-1 sha256:\(String(repeating: "b", count: 64)) x@y\n",
                "tokens:2: the name lab-pc-1 is given twice"
            ),
            ("a \(hash) t@l\nb \(hash) t@l\n", "tokens:2: this token hash is given twice"),
            ("lab/pc \(hash) t@l\n", "tokens:1: the name (first field) may hold only"),
            ("lab-pc-1 \(hash) tech\n", "tokens:1: field 3 is not an e-mail address"),
        ]
        for (text, start) in cases {
            #expect(throws: TokensFileError.self) { try AccessTokens.parse(text, file: "tokens") }
            do {
                _ = try AccessTokens.parse(text, file: "tokens")
            } catch {
                #expect(error.message.hasPrefix(start), "\(error.message)")
            }
        }
        #expect((try? AccessTokens.parse("# only comments\n\n   \nlab-pc-1 \(hash) t@l # PC in room 3\n", file: "t").count) == 1)
    }

    /// A tokens file saved on Windows (`\r\n`, a byte order mark) grants
    /// what the same file saved on Linux grants: it was one comment line,
    /// so no token at all.
    @Test(arguments: ["\r\n", "\r"], [false, true])
    func windowsLineEndsAndAByteOrderMarkAreRead(_ lineEnd: String, _ byteOrderMark: Bool) throws {
        let token = TokensFile.makeToken()
        let other = TokensFile.makeToken()
        let lines = [
            "# nachet-sync serve: bearer tokens", "lab-pc-1 sha256:\(AccessTokens.hash(token).hex) tech@lab.example",
            "", "lab-pc-2 sha256:\(AccessTokens.hash(other).hex) other@lab.example  # room 3",
        ]
        let tokens = try AccessTokens.parse((byteOrderMark ? "\u{FEFF}" : "") + lines.joined(separator: lineEnd) + lineEnd, file: "tokens")

        #expect(tokens.count == 2)
        #expect(tokens.grant(forToken: token)?.mayActFor(email: "tech@lab.example") == true)
        #expect(tokens.grant(forToken: other)?.mayActFor(email: "other@lab.example") == true)
        #expect {
            try AccessTokens.parse("\u{FEFF}# tokens\r\nlab-pc-1 \(token) tech@lab.example\r\n", file: "tokens")
        } throws: { error in
            "\(error)".hasPrefix("tokens:2: the second field must be sha256:") && !"\(error)".contains(token)
        }
    }

    /// A line of the tokens file with a mistake is named by its number and
    /// field, never shown: a token pasted in the wrong field stays unsaid.
    @Test func aBrokenLineIsNamedWithoutItsWords() {
        let token = TokensFile.makeToken()
        let hash = "sha256:" + String(repeating: "a", count: 64)
        for text in ["\(token)+ \(hash) t@l\r\n", "lab-pc-1 \(hash) t@l \(token)\r\n", "lab-pc-1 \(token)\r\n"] {
            #expect {
                try AccessTokens.parse(text, file: "tokens")
            } throws: { error in
                "\(error)".hasPrefix("tokens:1: ") && !"\(error)".contains(token)
            }
        }
    }

    /// An emptied tokens file refuses every request, and one others may
    /// write lets them add a token: both said, with the fix.
    @Test func anEmptyOrWritableByOthersTokensFileIsWarnedAbout() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("tokens")
        _ = try TokensFile.add(name: "lab-pc-1", users: ["tech@lab.example"], to: path)
        #expect(TokensFile.warnings(path: path, tokens: try TokensFile.read(path)).isEmpty)

        chmod(path, 0o620)
        var warnings = TokensFile.warnings(path: path, tokens: try TokensFile.read(path))
        #expect(warnings.count == 1 && warnings[0].contains("may be written by the members of its group (mode 0620)"), "\(warnings)")
        #expect(warnings[0].contains("chmod 600 \(path)"))

        chmod(path, 0o666)
        try "# every token revoked\r\n".write(toFile: path, atomically: false, encoding: .utf8)
        warnings = TokensFile.warnings(path: path, tokens: try TokensFile.read(path))
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.contains { $0.contains("holds no token: every request is refused (401)") && $0.contains("serve token add") })
        #expect(warnings.contains { $0.contains("may be written by every user of this machine (mode 0666)") })
    }
}
