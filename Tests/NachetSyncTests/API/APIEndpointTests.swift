import Foundation
import NachetSync
import Testing

/// `--nachet-url` is checked before anything is sent, and names the
/// destination without a secret.
@Suite("API endpoint")
struct APIEndpointTests {
    @Test func aURLIsKeptWithoutItsTrailingSlashAsTheDestinationsName() throws {
        let endpoint = try APIEndpoint(url: "https://nachet-sync.lab.example/api/", token: " nst_abc \n")
        #expect(endpoint.location == "https://nachet-sync.lab.example/api")
        #expect(endpoint.token == "nst_abc")
        #expect(endpoint.isSecure && !endpoint.isLoopback)
        #expect(try APIEndpoint(url: "http://127.0.0.1:8080", token: nil).isLoopback)
    }

    @Test(arguments: [
        "https://user:secret@nachet.lab.example", "https://nachet.lab.example/?token=secret", "https://nachet.lab.example/#secret",
    ])
    func aURLHoldingASecretIsRefusedWithoutSayingIt(_ url: String) {
        #expect {
            _ = try APIEndpoint(url: url, token: nil)
        } throws: { error in
            "\(error)".contains("--token or NACHET_SYNC_TOKEN") && !"\(error)".contains("secret")
        }
    }

    /// Loopback is an address in 127.0.0.0/8, `::1` or `localhost`: a name
    /// that only begins like an address is any host DNS points it to, and
    /// a token sent there over plain HTTP must be warned about.
    @Test(arguments: [
        ("http://127.0.0.1:8080", true), ("http://127.1.2.3", true), ("http://localhost:8080", true), ("http://[::1]:8080", true),
        ("http://LOCALHOST", true), ("http://127.evil.example", false), ("http://127.0.0.1.nip.io", false),
        ("http://127.0.0.256", false), ("http://127.0.0", false), ("http://127.+0.0.1", false), ("http://128.0.0.1", false),
        ("http://localhost.evil.example", false),
    ])
    func onlyAnAddressOfThisMachineIsLoopback(_ url: String, _ loopback: Bool) throws {
        #expect(try APIEndpoint(url: url, token: nil).isLoopback == loopback)
    }

    @Test(arguments: ["ftp://nachet.lab.example", "nachet.lab.example", "https://", ""])
    func aURLThatIsNotHTTPIsRefusedWithAnExample(_ url: String) {
        #expect {
            _ = try APIEndpoint(url: url, token: nil)
        } throws: { error in
            "\(error)".contains("https://nachet-sync.lab.example")
        }
    }
}
