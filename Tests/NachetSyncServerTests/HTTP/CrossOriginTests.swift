import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// CORS: pages of an allowed origin (Nachet's web UI) may call the routes
/// and read their answers; other origins get no CORS header.
@Suite("serve: browsers from another origin")
struct CrossOriginTests {
    static let frontend = "https://nachet.lab.example"

    @Test func anAllowedOriginIsAnsweredAndOthersAreNot() async throws {
        try await ServerHarness.with(allowedOrigins: [Self.frontend]) { harness in
            let preflight = try await harness.send(
                .OPTIONS, "/upload-picture",
                headers: [
                    ("Origin", Self.frontend), ("Access-Control-Request-Method", "POST"),
                    ("Access-Control-Request-Headers", "authorization"),
                ],
                credentials: .none)
            #expect(preflight.status == 204)
            #expect(preflight.headers.first(name: "Access-Control-Allow-Origin") == Self.frontend)
            #expect(preflight.headers.first(name: "Access-Control-Allow-Methods") == "GET, POST, OPTIONS")
            #expect(preflight.headers.first(name: "Access-Control-Allow-Headers")?.contains("Authorization") == true)
            #expect(preflight.headers.first(name: "Access-Control-Allow-Credentials") == "true")

            let seeds = try await harness.send(.GET, "/seeds", headers: [("Origin", Self.frontend)])
            #expect(seeds.status == 200)
            #expect(seeds.headers.first(name: "Access-Control-Allow-Origin") == Self.frontend)
            #expect(seeds.headers.first(name: "Access-Control-Expose-Headers")?.contains("X-Nachet-Picture-Id") == true)
            // A refusal is readable too.
            let refused = try await harness.send(.GET, "/seeds", headers: [("Origin", Self.frontend)], credentials: .none)
            #expect(refused.status == 401)
            #expect(refused.headers.first(name: "Access-Control-Allow-Origin") == Self.frontend)

            let elsewhere = "https://evil.example"
            let foreignPreflight = try await harness.send(
                .OPTIONS, "/upload-picture", headers: [("Origin", elsewhere), ("Access-Control-Request-Method", "POST")], credentials: .none
            )
            #expect(foreignPreflight.status == 401)
            #expect(foreignPreflight.headers.first(name: "Access-Control-Allow-Origin") == nil)
            let foreign = try await harness.send(.GET, "/seeds", headers: [("Origin", elsewhere)])
            #expect(foreign.status == 200)
            #expect(foreign.headers.first(name: "Access-Control-Allow-Origin") == nil)
        }
    }
}
