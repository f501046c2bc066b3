import Foundation
import Logging
import NachetSync
import NachetSyncTestSupport
import Testing

/// Requests to Azure are retried until the give-up time, whatever pauses
/// the backoff's jitter draws.
@Suite("Azure: retried until the give-up time")
struct AzureGiveUpTests {
    @Test func aRetryDrawnWithoutPauseIsStillARetryNotAGiveUp() async throws {
        let emulator = try await AzureEmulator.start()
        emulator.setFaults { $0.failureRate = 1 }
        // Backoff ceilings far under a millisecond: every pause drawn is 0;
        // three attempts, with a minute to make them (time is not the limit).
        var options = AzureUploadOptions()
        options.retry = RetryPolicy(
            initialDelay: .nanoseconds(1), maximumDelay: .nanoseconds(1), giveUpAfter: .seconds(60), maximumAttempts: 3)
        let store = AzureBlobStore(
            account: try AzureAccount(parsing: emulator.connectionString), options: options, logger: Logger(label: "test"))

        await #expect(throws: BlobStoreError.self) {
            _ = try await store.properties(of: BlobReference(container: "lot", name: "probe"))
        }

        #expect(emulator.requests.count == 3, "every attempt made, not one: \(emulator.requests.count) requests")
        await emulator.stop()
    }
}
