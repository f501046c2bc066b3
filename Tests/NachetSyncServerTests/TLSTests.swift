import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Testing

/// `serve --tls-certificate --tls-key`: HTTPS on 127.0.0.1 with a
/// self-signed certificate made for the test by `openssl req`.
@Suite("serve: TLS")
struct TLSTests {
    /// A certificate for 127.0.0.1 and its key, PEM files in `directory`.
    static func makeCertificate(in directory: TemporaryDirectory) throws -> ServerSettings.TLSFiles {
        let certificate = directory.appending("cert.pem")
        let key = directory.appending("key.pem")
        let openssl = try SpawnedProcess(
            "openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", certificate,
            ])
        try openssl.waitUntilExit(killingAfter: .seconds(120))
        guard openssl.terminationStatus == 0 else { throw HarnessFailure(description: "openssl req failed") }
        return ServerSettings.TLSFiles(certificateChain: certificate, privateKey: key)
    }

    @Test func httpsServesTheRoutesToAClientTrustingTheCertificate() async throws {
        let directory = TemporaryDirectory()
        let files = try Self.makeCertificate(in: directory)
        try await ServerHarness.with(tls: files) { harness in
            #expect(harness.baseURL.hasPrefix("https://"))
            var configuration = HTTPClient.Configuration()
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(files.certificateChain))
            configuration.tlsConfiguration = tls
            try await withHTTPClient(configuration) { client in
                var request = HTTPClientRequest(url: harness.baseURL + "/seeds")
                request.headers.add(name: "Authorization", value: "Bearer \(harness.token)")
                let response = try await client.execute(request, timeout: .seconds(60))
                #expect(response.status == .ok)
                let body = try await response.body.collect(upTo: 1 << 20)
                let json = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]
                #expect((json?["seeds"] as? [Any])?.count == 15)

                // Without the certificate trusted, the handshake fails; plain HTTP gets no answer.
            }
            try await withHTTPClient { untrusting in
                await #expect(throws: (any Error).self) {
                    _ = try await untrusting.execute(HTTPClientRequest(url: harness.baseURL + "/health"), timeout: .seconds(30))
                }
                await #expect(throws: (any Error).self) {
                    let plain = HTTPClientRequest(url: "http://127.0.0.1:\(harness.running.port)/health")
                    _ = try await untrusting.execute(plain, timeout: .seconds(30))
                }
            }
        }
    }

    @Test func aMissingOrUnreadableCertificateIsAPlainError() async throws {
        let directory = TemporaryDirectory()
        let store = try await TestDatastore.make()
        let settings = ServerSettings(
            port: 0, access: .insecureDevelopment,
            tls: ServerSettings.TLSFiles(certificateChain: directory.appending("none.pem"), privateKey: directory.appending("none.key")),
            spoolDirectory: directory.appending("spool"))
        let server = try NachetServer(
            settings: settings, datastore: ServerDatastore(catalogue: store.catalogue, blobStore: store.blobStore),
            logger: TestDatastore.quietLogger)
        do {
            _ = try await server.start()
            Issue.record("the server started without its certificate")
        } catch {
            #expect("\(error)".contains("none.pem: cannot read the TLS certificate"), "\(error)")
        }
    }
}
