import Foundation
import NachetSync
import NachetSyncTestSupport
import Synchronization
import Testing

/// The API client retries as Azure and PostgreSQL do (one ``RetryPolicy``):
/// each cause said once at warning level, kept for `STATUS=` while the
/// server fails, and its recovery said.
@Suite("the API client's retries")
struct APIClientRetryTests {
    @Test func aServerAnswering503IsRetriedSaidOnceAndShownUntilItAnswers() async throws {
        let answering = FlagBox()
        let server = try await ScriptedHTTPServer.start { _ in
            answering.isSet
                ? .response(status: "200 OK", headers: [("Content-Type", "application/json")], body: #"{"seeds": []}"#)
                : .response(status: "503 Service Unavailable", body: "down for maintenance")
        }
        let log = CapturedLog()
        let health = StoreHealth(logger: log.logger())
        let destination = try APIDestination(
            endpoint: try APIEndpoint(url: server.url, token: "nst_test", dialect: .legacy),
            giveUpAfter: .seconds(600), health: health, logger: TestDatastore.quietLogger)
        defer { Task { await destination.close() } }

        await #expect(throws: APIError.self) { _ = try await destination.seeds() }

        #expect(server.requests.count == 3, "three attempts in all")
        let warnings = log.messages.filter { $0.contains("cannot reach the Nachet API") }
        #expect(warnings.count == 2, "retry 1 and retry 2 said once each: \(log.messages)")
        #expect(warnings.allSatisfy { $0.contains("503: down for maintenance") })
        #expect(health.troubles.map(\.store) == [.api], "shown in STATUS= while it fails")

        answering.set()
        _ = try await destination.seeds()
        #expect(health.troubles.isEmpty)
        #expect(log.messages.contains { $0.contains("the Nachet API answers again") })
        await server.stop()
    }
}

/// A flag one task sets and others read.
private final class FlagBox: Sendable {
    private let flag = Mutex(false)
    var isSet: Bool { flag.withLock { $0 } }
    func set() { flag.withLock { $0 = true } }
}
