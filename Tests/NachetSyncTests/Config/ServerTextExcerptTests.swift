import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// What a server says, made fit for a log line, the state file and a
/// status file: bounded, escaped, every credential redacted.
@Suite("a server's words are shown as a redacted excerpt")
struct ServerTextExcerptTests {
    static let token = "nst_" + String(repeating: "Ab9-_", count: 8) + "xyz"
    static let azureKey = AzureEmulator.accountKey
    static let legacyToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZWNoIn0.S3cretSignature"

    /// Echoes of a request's credentials as debug pages, proxies and
    /// frameworks write them, each with the secret that must not show.
    static let echoes: [(String, String)] = [
        ("Debug: request headers\nHost: nachet\nAuthorization: Bearer \(token)\nUser-Agent: nachet-sync", token),
        ("{'authorization': 'Bearer \(legacyToken)', 'user-agent': 'nachet-sync'}", legacyToken),
        (#"{"headers":{"Authorization":"Bearer \#(legacyToken)"}}"#, legacyToken),
        ("<td>HTTP_AUTHORIZATION</td><td>Bearer \(legacyToken)</td>", legacyToken),
        ("token \(token) unknown", token),
        ("bad key \(azureKey) for the account", azureKey),
        ("DefaultEndpointsProtocol=https;AccountName=lab;AccountKey=S3cretKeyValue;", "S3cretKeyValue"),
        ("GET https://lab.blob.core.windows.net/c/b?sv=2022-11-02&sp=r&sig=S3cretSig%2Bx failed", "S3cretSig"),
        ("cannot connect to postgresql://nachet:S3cretPw@db.lab/nachet", "S3cretPw"),
        ("login failed: password=S3cretPw user=nachet", "S3cretPw"),
        (#"{"access_token": "S3cretAccess", "token_type": "bearer"}"#, "S3cretAccess"),
    ]

    @Test(arguments: echoes.indices)
    func everyCredentialShapeIsRedacted(_ index: Int) {
        let (text, secret) = Self.echoes[index]
        let excerpt = SecretMasking.excerpt(of: text)
        #expect(!excerpt.contains(secret), "\(excerpt)")
        #expect(excerpt.contains("***"), "\(excerpt)")
    }

    @Test func ourTokenIsRemovedWhateverSurroundsIt() {
        let secret = "plain-S3cret-token-without-shape"
        let excerpt = SecretMasking.excerpt(of: "you sent X\(secret)Y, which is unknown", removing: [secret])
        #expect(excerpt == "you sent X***Y, which is unknown")
    }

    @Test func theExcerptIsBoundedEscapedAndOnOneLine() {
        let page = "<html>\n  <body>\u{1B}[2J" + String(repeating: "error ", count: 10_000) + "</body></html>"
        let excerpt = SecretMasking.excerpt(of: page)
        #expect(excerpt.count <= SecretMasking.serverTextLimit)
        #expect(excerpt.hasSuffix("…"))
        #expect(excerpt.hasPrefix("<html> <body>\\u{1B}[2Jerror error"), "\(excerpt)")
        #expect(!excerpt.contains("\n") && !excerpt.contains("\u{1B}"))
        #expect(SecretMasking.excerpt(of: String(repeating: "\u{7}", count: 500)).count <= SecretMasking.serverTextLimit)
    }

    /// A token cut in two by the part of a huge page that is looked at is
    /// not shown by halves.
    @Test func aCredentialAtTheEdgeOfWhatIsReadIsNotShownInPart() {
        let secret = "S3cret" + String(repeating: "k", count: 100)
        let limit = 20
        for padding in 0..<(limit * 8) {
            // Each whole copy shrinks to `***`, bringing the cut one near the start.
            let text = String(repeating: "a", count: padding) + " " + Array(repeating: secret, count: 5).joined(separator: " ")
            let excerpt = SecretMasking.excerpt(of: text, removing: [secret], limit: limit)
            #expect(!excerpt.contains("S3cret"), "\(excerpt)")
        }
    }

    @Test func plainWordsAreKept() {
        #expect(SecretMasking.excerpt(of: "  Datastore Error: User not found  ") == "Datastore Error: User not found")
        #expect(SecretMasking.excerpt(of: "BlobAlreadyExists", limit: 80) == "BlobAlreadyExists")
    }
}
