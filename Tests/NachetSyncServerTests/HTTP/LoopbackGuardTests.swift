import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

@testable import NachetSyncServer

/// `--insecure-dev-no-auth` asks no token, so a web page open on the same
/// machine must not drive it: a foreign `Host` (DNS rebinding) or a page of
/// another origin is refused with 403; programs on the machine pass.
@Suite("serve: no token, no web pages")
struct LoopbackGuardTests {
    static let frontend = "http://localhost:3000"

    @Test func foreignHostsAndPagesOfOtherOriginsAreRefusedAndNothingIsDone() async throws {
        try await ServerHarness.with(development: true, allowedOrigins: [Self.frontend]) { harness in
            let port = harness.running.port
            let folder = ["container_name": harness.userID, "nb_pictures": 1, "folder_name": "from-a-page"] as [String: Any]
            let body = try JSONSerialization.data(withJSONObject: folder)
            let sets = try await harness.datastore.rowCount("picture_set")
            let refusals: [[(String, String)]] = [
                [("Host", "evil.example")],
                [("Host", "evil.example:\(port)")],
                [("Host", "127.0.0.2:\(port)")],
                [("Host", "localhost.evil.example:\(port)")],
                // A text/plain POST from a page: no preflight, so it would run.
                [("Origin", "https://evil.example"), ("Content-Type", "text/plain")],
                [("Origin", "null")],
                [("Sec-Fetch-Site", "cross-site")],
            ]
            for headers in refusals {
                let answer = try await harness.send(.POST, "/new-batch-import", body: body, headers: headers, credentials: .none)
                #expect(answer.status == 403, "\(headers)")
                #expect(answer.errorCode == "foreign-origin", "\(headers)")
                #expect(answer.message?.contains("--insecure-dev-no-auth") == true, "\(headers): \(answer.text)")
            }
            #expect(try await harness.datastore.rowCount("picture_set") == sets, "no set was made")

            // Programs on this machine, and the allowed origin's pages, pass.
            let accepted: [[(String, String)]] = [
                [], [("Host", "localhost:\(port)")], [("Host", "[::1]:\(port)")], [("Origin", Self.frontend)],
                [("Sec-Fetch-Site", "same-origin")],
                // A tunnel or proxy on this machine gives its own port.
                [("Host", "127.0.0.1:9000")],
            ]
            for headers in accepted {
                let answer = try await harness.send(.GET, "/seeds", headers: headers, credentials: .none)
                #expect(answer.status == 200, "\(headers): \(answer.text)")
            }
        }
    }

    @Test func aServerWithTokensTakesAnyHost() async throws {
        // Behind a reverse proxy, Host is the public name.
        try await ServerHarness.with { harness in
            let answer = try await harness.send(.GET, "/seeds", headers: [("Host", "nachet-sync.lab.example")])
            #expect(answer.status == 200)
        }
    }

    @Test func theLoopbackNamesAreRead() {
        for loopback in ["127.0.0.1:8080", "LOCALHOST:8080", "[::1]:8080", "localhost", "[::1]", "127.0.0.1:9000"] {
            #expect(LoopbackGuardMiddleware.isLoopback(authority: loopback), "\(loopback)")
        }
        for other in [
            "127.0.0.1.evil.example:8080", "localhost.evil.example:8080", "[::1]x:8080", "evil.example", "127.0.0.1:80x", "127.0.0.2",
        ] {
            #expect(!LoopbackGuardMiddleware.isLoopback(authority: other), "\(other)")
        }
    }
}
