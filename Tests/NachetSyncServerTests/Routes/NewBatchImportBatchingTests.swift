import Foundation
import NachetSync
import NachetSyncTestSupport
import Synchronization
import Testing

/// `serve` answers many clients asking for sets at once with one statement
/// per batch of sets, as the agent does: counted in requests to a catalogue
/// answering 50 ms after each call.
@Suite("serve: set-level work in batches")
struct NewBatchImportBatchingTests {
    @Test func manyClientsAskingForSetsAtOnceShareStatements() async throws {
        let counting = Mutex<CountingCatalogue?>(nil)
        let harness = try await ServerHarness.start { catalogue in
            let wrapped = CountingCatalogue(catalogue, roundTrip: .milliseconds(50))
            counting.withLock { $0 = wrapped }
            return wrapped
        }
        defer { Task { try? await harness.stop() } }
        let sets = 48

        let sessions = try await withThrowingTaskGroup(of: String.self) { group in
            for index in 0..<sets { group.addTask { try await harness.newSession(folder: "lot-\(index)") } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }

        #expect(sessions.count == sets)
        #expect(try await harness.datastore.rowCount("picture_set") == sets + 1)
        let calls = try #require(counting.withLock { $0 }).calls
        #expect((calls["findOrCreatePictureSets"] ?? 0) <= sets / 4, "sets of many requests in one statement: \(calls)")
    }
}
