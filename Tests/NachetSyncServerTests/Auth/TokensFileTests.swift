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
            ("lab/pc \(hash) t@l\n", "tokens:1: the name \"lab/pc\""),
            ("lab-pc-1 \(hash) tech\n", "tokens:1: \"tech\" is not an e-mail address"),
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
}
