import Foundation
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Testing

/// The agent verifies the API's certificate: against the system's
/// authorities, or those of `--nachet-ca-file`.
@Suite("the agent's TLS")
struct APIClientTLSTests {
    @Test func anUntrustedCertificateStopsTheAgentAndATrustedAuthorityLetsItThrough() async throws {
        let directory = TemporaryDirectory()
        let files = try TLSTests.makeCertificate(in: directory)
        try await ServerHarness.with(tls: files) { harness in
            let drop = try makeDropFolder(in: directory, count: 3)
            let url = "https://127.0.0.1:\(harness.running.port)"
            let untrusted = try await ClientAgent(url: url, state: directory.appending("state-1"), token: harness.token).sync(drop)
            #expect(untrusted.status == 3, "\(untrusted.output) \(untrusted.errors)")
            #expect(untrusted.errors.contains("cannot be trusted") && untrusted.errors.contains("--nachet-ca-file"), "\(untrusted.errors)")
            #expect(try await harness.datastore.rowCount("picture") == 0, "nothing sent")

            let trusting = ClientAgent(
                url: url, state: directory.appending("state-2"), token: harness.token,
                extraArguments: ["--nachet-ca-file", files.certificateChain])
            let run = try await trusting.sync(drop)
            #expect(run.status == 0, "\(run.output) \(run.errors)")
            #expect(try await harness.datastore.rowCount("picture") == 3)
        }
    }
}
