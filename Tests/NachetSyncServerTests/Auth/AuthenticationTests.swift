import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Testing

/// Bearer tokens: every route refuses a request without a valid one (401,
/// a JSON body), a revoked token is refused after a reload, and a tokens
/// file with a mistake is refused with the tokens in use kept.
@Suite("serve: bearer tokens")
struct AuthenticationTests {
    static let routes: [(method: String, path: String)] = [
        ("POST", "/get-user-id"), ("GET", "/seeds"), ("POST", "/new-batch-import"), ("POST", "/upload-picture"),
        ("POST", "/upload-picture-raw"), ("POST", "/get-directories"), ("POST", "/get-picture"),
    ]

    @Test(arguments: ServerHarness.backends)
    func everyRouteRefusesAMissingMalformedOrUnknownToken(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let refusals: [(ServerHarness.Credentials, String)] = [
                (.none, "Unauthorized : this server needs a bearer token: send `Authorization: Bearer <token>`"),
                (.header("Basic dGVjaDpwYXNz"), "Unauthorized : the Authorization header must be `Bearer <token>`"),
                (.header("Bearer "), "Unauthorized : the Authorization header must be `Bearer <token>`"),
                (
                    .bearer("nst_not-a-token"),
                    "Unauthorized : the token is not valid: unknown or revoked; ask the administrator for a new one"
                ),
                (
                    .bearer(harness.token + "x"),
                    "Unauthorized : the token is not valid: unknown or revoked; ask the administrator for a new one"
                ),
            ]
            for route in Self.routes {
                for (credentials, message) in refusals {
                    let answer = try await harness.send(
                        route.method == "GET" ? .GET : .POST, route.path, body: Data("{}".utf8), credentials: credentials)
                    #expect(answer.status == 401, "\(route.path) \(credentials)")
                    #expect(answer.message == message, "\(route.path) \(credentials)")
                    #expect(answer.headers.first(name: "WWW-Authenticate") == "Bearer realm=\"nachet-sync\"")
                    #expect(answer.headers.first(name: "Content-Type") == "application/json")
                }
            }
            // The health check needs no token.
            #expect(try await harness.send(.GET, "/health", credentials: .none).status == 200)
            #expect(try await harness.datastore.rowCount("picture_set") == 1)
        }
    }

    @Test(arguments: ServerHarness.backends)
    func aRevokedTokenIsRefusedOnceTheFileIsReadAgainAndAFaultyFileIsNotUsed(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let second = try TokensFile.add(name: "lab-pc-2", users: [TestDatastore.technician], to: harness.tokensFile)
            let registry = try #require(harness.server.tokens)
            // Not accepted until the file is read again (SIGHUP).
            #expect(try await harness.send(.GET, "/seeds", credentials: .bearer(second)).status == 401)
            #expect(try registry.reload() == 2)
            #expect(try await harness.send(.GET, "/seeds", credentials: .bearer(second)).status == 200)

            // Revoked: its line deleted, the file read again.
            let text = try String(contentsOfFile: harness.tokensFile, encoding: .utf8)
            let kept = text.split(separator: "\n").filter { !$0.hasPrefix("lab-pc-1 ") }.joined(separator: "\n") + "\n"
            try kept.write(toFile: harness.tokensFile, atomically: true, encoding: .utf8)
            #expect(try await harness.send(.GET, "/seeds").status == 200)
            try registry.reload()
            let revoked = try await harness.send(.GET, "/seeds")
            #expect(revoked.status == 401)
            #expect(revoked.message == "Unauthorized : the token is not valid: unknown or revoked; ask the administrator for a new one")
            #expect(try await harness.send(.GET, "/seeds", credentials: .bearer(second)).status == 200)

            // A mistake in the file: refused, and the tokens in use kept.
            try (kept + "lab-pc-3 \(second) tech@lab.example\n").write(toFile: harness.tokensFile, atomically: true, encoding: .utf8)
            #expect(throws: TokensFileError.self) { try registry.reload() }
            #expect(try await harness.send(.GET, "/seeds", credentials: .bearer(second)).status == 200)
        }
    }

    @Test func developmentModeAsksNoTokenAndListensOnLoopbackOnly() async throws {
        try await ServerHarness.with(development: true) { harness in
            #expect(try await harness.send(.GET, "/seeds", credentials: .none).status == 200)
            let answer = try await harness.post("/get-user-id", ["email": TestDatastore.technician], credentials: .none)
            #expect(answer.json as? [String: String] == ["user_id": harness.userID])
        }
        let directory = TemporaryDirectory()
        for host in ["0.0.0.0", "192.168.1.10", "::"] {
            let settings = ServerSettings(host: host, port: 0, access: .insecureDevelopment, spoolDirectory: directory.path)
            #expect(throws: ServerSettingsError.self) { try settings.check() }
        }
        for host in ["127.0.0.1", "127.0.1.1", "localhost", "::1"] {
            try ServerSettings(host: host, port: 0, access: .insecureDevelopment, spoolDirectory: directory.path).check()
        }
    }
}
