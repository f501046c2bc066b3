import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

@Suite("Azure credentials in the forms deployments give them")
struct AzureAccountTests {
    static let key = "bmFjaGV0LXN5bmMtdGVzdC12ZWN0b3Ita2V5LW5vdC1hLXJlYWwtc2VjcmV0LTAwMDA="

    @Test func aConnectionStringWithAnAccountKey() throws {
        let account = try AzureAccount(
            parsing: "DefaultEndpointsProtocol=https;AccountName=nachetlab;AccountKey=\(Self.key);EndpointSuffix=core.windows.net"
        )
        #expect(account.name == "nachetlab")
        #expect(account.endpoint.absoluteString == "https://nachetlab.blob.core.windows.net")
        #expect(!account.description.contains(Self.key))
    }

    @Test func aConnectionStringWithABlobEndpointAndASAS() throws {
        let account = try AzureAccount(
            parsing: "BlobEndpoint=https://nachetlab.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sp=racwt&sig=c2VjcmV0"
        )
        #expect(account.name == "nachetlab")
        guard case .sharedAccessSignature(let token) = account.authorization else {
            Issue.record("expected a SAS")
            return
        }
        #expect(token == "sv=2022-11-02&sp=racwt&sig=c2VjcmV0")
        #expect(!account.description.contains("c2VjcmV0"))
    }

    @Test func aBlobURLWithASAS() throws {
        let account = try AzureAccount(parsing: "https://nachetlab.blob.core.windows.net/?sv=2022-11-02&sig=c2VjcmV0")
        #expect(account.name == "nachetlab")
        #expect(account.endpoint.absoluteString == "https://nachetlab.blob.core.windows.net")
        let emulator = try AzureAccount(parsing: "http://127.0.0.1:10000/devstoreaccount1?sv=2022-11-02&sig=c2VjcmV0")
        #expect(emulator.name == "devstoreaccount1")
        #expect(emulator.endpoint.absoluteString == "http://127.0.0.1:10000/devstoreaccount1")
    }

    @Test func developmentStorage() throws {
        let account = try AzureAccount(parsing: "UseDevelopmentStorage=true")
        #expect(account.name == "devstoreaccount1")
        #expect(account.endpoint.absoluteString == "http://127.0.0.1:10000/devstoreaccount1")
    }

    @Test func mistakesAreNamedWithoutTheSecret() {
        #expect(throws: ConfigurationError.self) { try AzureAccount(parsing: "https://nachetlab.blob.core.windows.net/") }
        #expect(throws: ConfigurationError.self) { try AzureAccount(parsing: "AccountName=nachetlab;EndpointSuffix=core.windows.net") }
        do {
            _ = try AzureAccount(parsing: "AccountName=nachetlab;AccountKey=not base64!!")
            Issue.record("a key that is not base64 was accepted")
        } catch {
            #expect("\(error)".contains("not valid base64"))
            #expect(!"\(error)".contains("not base64!!"))
        }
    }

    @Test(arguments: [
        "AccountName=my account;AccountKey=\(key)", "AccountName=nachetlab/evil.example;AccountKey=\(key)",
        "AccountName=nachet@lab;AccountKey=\(key)", "AccountName=NachetLab;AccountKey=\(key)", "AccountName=ab;AccountKey=\(key)",
        "AccountName=nachetlab;AccountKey=\(key);EndpointSuffix=core windows.net",
        "AccountName=nachetlab;AccountKey=\(key);DefaultEndpointsProtocol=ftp",
        "BlobEndpoint=not a url;AccountKey=\(key)", "BlobEndpoint=file:///etc;AccountKey=\(key)",
        "https://?sv=1&sig=abc", "https:// /?sv=1&sig=abc",
    ])
    func anAccountThatMakesNoURLIsAPlainMistake(_ value: String) {
        #expect {
            try AzureAccount(parsing: value)
        } throws: { error in
            error is ConfigurationError && !"\(error)".contains(Self.key)
        }
    }

    @Test func anAccountNameWithASpaceFromTheNachetPairIsAPlainMistake() {
        #expect(throws: ConfigurationError.self) { try AzureAccount(name: "my account", key: Self.key) }
        #expect(throws: ConfigurationError.self) { try AzureAccount(name: "", key: Self.key) }
        #expect((try? AzureAccount(name: "nachetlab", key: Self.key))?.endpoint.absoluteString == "https://nachetlab.blob.core.windows.net")
    }

    @Test func aBlobURLsUserInformationIsNotKept() throws {
        let account = try AzureAccount(parsing: "https://user:S3cretPw@nachetlab.blob.core.windows.net/?sv=2022-11-02&sig=c2VjcmV0")
        #expect(account.endpoint.absoluteString == "https://nachetlab.blob.core.windows.net")
        #expect(!account.description.contains("S3cretPw"))
    }

    @Test func aSASMadeByTheSDKWorksWithTheAgentsClient() async throws {
        let emulator = try await AzureEmulator.start()
        let script = """
            import datetime, sys
            from azure.storage.blob import generate_account_sas, ResourceTypes, AccountSasPermissions
            print(generate_account_sas(sys.argv[1], account_key=sys.argv[2], resource_types=ResourceTypes(container=True, object=True),
                permission=AccountSasPermissions(read=True, add=True, create=True, write=True, tag=True),
                expiry=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)))
            """
        let made = try await TestPython.run(["-c", script, AzureEmulator.accountName, AzureEmulator.accountKey])
        #expect(made.status == 0, "\(made.output)")
        let sas = made.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let store = AzureBlobStore(account: try AzureAccount(parsing: "\(emulator.endpoint)?\(sas)"), logger: TestDatastore.quietLogger)
        let blob = BlobReference(container: "user-1", name: "lot/picture")
        let data = Data("seed image bytes".utf8)
        let directory = TemporaryDirectory()
        let path = directory.appending("bytes")
        try data.write(to: URL(fileURLWithPath: path))
        let hash = try FileContent(path: path).sha256().hash

        try await store.createContainerIfMissing("user-1")
        #expect(
            try await store.putIfAbsent(blob, content: FingerprintedContent(data: data), properties: .init(sha256: hash, tags: ["picture_uuid": "p"]))
                == .created)
        #expect(try await store.properties(of: blob)?.sha256 == hash)
        #expect(try await store.properties(of: blob)?.tags == ["picture_uuid": "p"])
        #expect(!store.url(of: blob).contains("sig="), "the link never carries the SAS")
        await emulator.stop()
    }
}
