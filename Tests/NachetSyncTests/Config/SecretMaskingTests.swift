import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// A connection string holding secrets, and the pieces of them that must never show.
struct SecretCase: Sendable, CustomTestStringConvertible {
    var input: String
    var secrets: [String]
    var testDescription: String { input }

    init(_ input: String, hiding secrets: String...) {
        self.input = input
        self.secrets = secrets
    }
}

/// Passwords, keys and signatures in every form a user may write them.
@Suite("secrets are never shown")
struct SecretMaskingTests {
    /// libpq strings, all aimed at a port nothing listens on, so a
    /// connection attempt fails at once. Secrets are `S3cret…`.
    static let postgresCases: [SecretCase] = [
        // URLs: user information, query parameters, percent-encoding.
        SecretCase("postgresql://nachet:S3cretPw@127.0.0.1:1/nachet", hiding: "S3cretPw"),
        SecretCase("postgres://nachet:S3cretPw@127.0.0.1:1/nachet?sslmode=disable", hiding: "S3cretPw"),
        SecretCase("postgresql://127.0.0.1:1/nachet?user=nachet&password=S3cretPw", hiding: "S3cretPw"),
        SecretCase("postgresql://127.0.0.1:1/nachet?pass%77ord=S3cretPw", hiding: "S3cretPw"),
        SecretCase("postgresql://nachet:S3cretA@127.0.0.1:1/nachet?password=S3cretB", hiding: "S3cretA", "S3cretB"),
        SecretCase("postgresql://nachet:S3cret%40Pw@127.0.0.1:1/nachet", hiding: "S3cret%40Pw", "S3cret@Pw", "S3cret"),
        SecretCase("postgresql://nachet:S3cret%20A%2FB@127.0.0.1:1/nachet", hiding: "S3cret"),
        SecretCase("postgresql://nachet:S3cret?A@127.0.0.1:1/nachet", hiding: "S3cret"),
        // Badly percent-encoded: libpq quotes the token in its message.
        SecretCase("postgresql://nachet:S3cretA%zzS3cretB@127.0.0.1:1/nachet", hiding: "S3cretA", "S3cretB"),
        SecretCase("postgresql://nachet:S3cretA%4@127.0.0.1:1/nachet", hiding: "S3cretA"),
        SecretCase("postgresql://127.0.0.1:1/nachet?password=S3cretA%zz", hiding: "S3cretA"),
        SecretCase("postgresql://nachet:S3cretA%00B@127.0.0.1:1/nachet", hiding: "S3cretA"),
        // Reserved characters left unencoded: pieces land in host, port, path.
        SecretCase("postgresql://nachet:S3cretA@S3cretB@127.0.0.1:1/nachet", hiding: "S3cretA", "S3cretB"),
        SecretCase("postgresql://nachet:S3cretA/S3cretB@127.0.0.1:1/nachet", hiding: "S3cretA", "S3cretB"),
        SecretCase("postgresql://nachet:12345/S3cretB@127.0.0.1:1/nachet", hiding: "12345", "S3cretB"),
        SecretCase("postgresql://nachet:S3cretA@[::1/nachet", hiding: "S3cretA"),
        SecretCase("postgresql://127.0.0.1:1/nachet?password=S3cretA&S3cretB", hiding: "S3cretA", "S3cretB"),
        SecretCase("postgresql://127.0.0.1:1/nachet?password=S3cretA=S3cretB", hiding: "S3cretA", "S3cretB"),
        // key=value: spaced, quoted, escaped.
        SecretCase("host=127.0.0.1 port=1 user=nachet password=S3cretPw", hiding: "S3cretPw"),
        SecretCase("host=127.0.0.1 port=1 password = S3cretPw user=nachet", hiding: "S3cretPw"),
        SecretCase("host=127.0.0.1 port=1 password =S3cretPw", hiding: "S3cretPw"),
        SecretCase("host=127.0.0.1 port=1 password='S3cretA S3cretB'", hiding: "S3cretA", "S3cretB"),
        SecretCase(#"host=127.0.0.1 port=1 password='S3cretA\'S3cretB'"#, hiding: "S3cretA", "S3cretB"),
        SecretCase(#"host=127.0.0.1 port=1 password=S3cretA\\S3cretB"#, hiding: "S3cretA", "S3cretB"),
        SecretCase("host=127.0.0.1 port=1 sslpassword=S3cretPw", hiding: "S3cretPw"),
        // key=value that libpq cannot read: it quotes the word it stopped at.
        SecretCase("host=127.0.0.1 port=1 password=S3cretA S3cretB", hiding: "S3cretA", "S3cretB"),
        SecretCase("host=127.0.0.1 port=1 password=S3cretA S3cretB=x", hiding: "S3cretA", "S3cretB"),
        SecretCase("host=127.0.0.1 port=1 password='S3cretA S3cretB", hiding: "S3cretA", "S3cretB"),
        SecretCase("host=127.0.0.1 port=1 S3cretPw", hiding: "S3cretPw"),
        SecretCase("host=127.0.0.1 port=S3cretPw", hiding: "S3cretPw"),
        // A connection string given as the database name.
        SecretCase("host=127.0.0.1 port=1 dbname='host=127.0.0.1 password=S3cretPw'", hiding: "S3cretPw"),
    ]

    @Test(arguments: postgresCases)
    func aPostgresPasswordIsNeverShown(_ example: SecretCase) {
        let shown = [
            SecretMasking.maskConnectionString(example.input),
            "\(CatalogueLocation(parsing: example.input))",
            PostgresConnectionString.redacting(example.input),
        ]
        for text in shown {
            for secret in example.secrets { #expect(!text.contains(secret), "\(text)") }
        }
    }

    @Test(arguments: postgresCases)
    func libpqsMessagesNeverCarryThePassword(_ example: SecretCase) async {
        let catalogue = PostgresCatalogue(connectionString: example.input, schema: nil)
        do {
            _ = try await catalogue.seeds()
            Issue.record("nothing listens on port 1")
        } catch {
            for secret in example.secrets { #expect(!error.description.contains(secret), "\(error)") }
        }
        await catalogue.close()
    }

    @Test(arguments: postgresCases)
    func openingTheCatalogueNeverShowsThePassword(_ example: SecretCase) {
        let configuration = AgentConfiguration(
            stateDirectory: "/nonexistent", catalogue: CatalogueLocation(parsing: example.input),
            blobStore: .directory(path: "/nonexistent"),
            extensions: .nachetDefault)
        do {
            _ = try configuration.openCatalogue()
        } catch {
            #expect(error.code == .misconfigured)
            for secret in example.secrets { #expect(!error.description.contains(secret), "\(error)") }
        }
    }

    @Test func aReadableStringIsSaidBackWithOnlyItsSecretsHidden() {
        #expect(
            SecretMasking.maskConnectionString("postgresql://nachet:pw@db.lab.example:5433/nachet?sslmode=require&password=x")
                == "postgresql://nachet:***@db.lab.example:5433/nachet?sslmode=require&password=***")
        #expect(
            SecretMasking.maskConnectionString("postgresql://nachet@db.lab.example/nachet") == "postgresql://nachet@db.lab.example/nachet")
        #expect(
            SecretMasking.maskConnectionString("host=db.lab.example password = 'a b' user=nachet  dbname=nachet")
                == "user=nachet password=*** dbname=nachet host=db.lab.example")
        #expect(SecretMasking.maskConnectionString("service=lab application_name='my agent'") == "service=lab application_name='my agent'")
    }

    @Test func anUnreadableStringShowsItsSchemeAtMost() {
        #expect(SecretMasking.maskConnectionString("postgresql://u:a%zz@h/db") == "postgresql://… (not shown: libpq cannot read it)")
        #expect(SecretMasking.maskConnectionString("host=h password=a b").hasPrefix("a libpq key=value string (not shown"))
    }

    @Test func libpqsParserMessagesAreSaidInWordsHoldingNothingOfTheString() {
        let messages = [
            #"missing "=" after "S3cret" in connection info string"#, #"invalid connection option "S3cret""#,
            #"invalid percent-encoded token: "S3cret%zz""#, #"forbidden value %00 in percent-encoded value: "S3cret%00""#,
            #"extra key/value separator "=" in URI query parameter: "S3cret""#, #"invalid URI query parameter: "S3cret""#,
            #"end of string reached when looking for matching "]" in IPv6 host address in URI: "postgresql://u:S3cret@[::1""#,
            #"unexpected character "S" at position 12 in URI (expected ":" or "/"): "postgresql://S3cret""#,
            #"une erreur « S3cret » en français"#,
        ]
        for message in messages {
            let reason = PostgresConnectionStringError.reason(forLibpqMessage: message)
            #expect(!reason.contains("S3cret"), "\(reason)")
            #expect(!reason.isEmpty)
        }
    }

    // MARK: - Azure

    static let azureCases: [SecretCase] = [
        SecretCase(
            "DefaultEndpointsProtocol=https;AccountName=nachetlab;AccountKey=S3cretKey0==;EndpointSuffix=core.windows.net",
            hiding: "S3cretKey0"),
        SecretCase("AccountName=nachetlab; AccountKey = S3cretKey0==", hiding: "S3cretKey0"),
        SecretCase("accountname=nachetlab;accountkey=S3cretKey0==", hiding: "S3cretKey0"),
        SecretCase("AccountName=nachetlab;AcountKey=S3cretKey0==", hiding: "S3cretKey0"),
        SecretCase("AccountName=nachetlab;S3cretKey0==", hiding: "S3cretKey0"),
        SecretCase(
            "BlobEndpoint=https://nachetlab.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sp=racwt&sig=S3cretSig%3D",
            hiding: "S3cretSig"),
        SecretCase("BlobEndpoint=https://nachetlab.blob.core.windows.net/?sv=2022-11-02&sig=S3cretSig", hiding: "S3cretSig"),
        SecretCase("BlobEndpoint=https://user:S3cretPw@nachetlab.blob.core.windows.net/;AccountName=nachetlab", hiding: "S3cretPw"),
        SecretCase("https://nachetlab.blob.core.windows.net/?sv=2022-11-02&ss=b&srt=co&sp=racwt&sig=S3cretSig%3D", hiding: "S3cretSig"),
        SecretCase("https://nachetlab.blob.core.windows.net/?sv=2022-11-02&SIG=S3cretSig", hiding: "S3cretSig"),
        SecretCase("https://nachetlab.blob.core.windows.net/?sv=2022-11-02&sig%3DS3cretSig", hiding: "S3cretSig"),
        SecretCase("https://nachetlab.blob.core.windows.net/?sv=2022-11-02;sig=S3cretSig", hiding: "S3cretSig"),
        SecretCase(
            "http://127.0.0.1:10000/devstoreaccount1?sv=2022-11-02&sig=S3cretSig#S3cretFragment", hiding: "S3cretSig", "S3cretFragment"),
    ]

    @Test(arguments: azureCases)
    func anAzureKeyOrSignatureIsNeverShown(_ example: SecretCase) {
        let shown = [SecretMasking.maskConnectionString(example.input), "\(BlobStoreLocation(parsing: example.input))"]
        for text in shown {
            for secret in example.secrets { #expect(!text.contains(secret), "\(text)") }
        }
        if let account = try? AzureAccount(parsing: example.input) {
            for secret in example.secrets { #expect(!account.description.contains(secret), "\(account)") }
        }
    }

    @Test func anAzureStringKeepsWhatIsNotSecret() {
        #expect(
            SecretMasking.maskConnectionString(
                "DefaultEndpointsProtocol=https;AccountName=nachetlab;AccountKey=abc==;EndpointSuffix=core.windows.net")
                == "DefaultEndpointsProtocol=https;AccountName=nachetlab;AccountKey=***;EndpointSuffix=core.windows.net")
        #expect(
            SecretMasking.maskConnectionString("https://nachetlab.blob.core.windows.net/?sv=2022-11-02&se=2026-12-01&sp=racwt&sig=abc")
                == "https://nachetlab.blob.core.windows.net/?sv=2022-11-02&se=2026-12-01&sp=racwt&sig=***")
        #expect(SecretMasking.maskConnectionString("UseDevelopmentStorage=true") == "UseDevelopmentStorage=true")
    }

    @Test func scrubRemovesEveryOccurrenceLongestFirst() {
        #expect(SecretMasking.scrub("a pw and pwpw", removing: ["pw", "pwpw", ""]) == "a *** and ***")
    }
}
