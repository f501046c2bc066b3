import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// The watch loop's sleep: ended by a signal or its deadline, and leaving
/// nothing behind that ends the next one early.
@Suite("watch: waking the loop")
struct WakeupTests {
    /// The bug this guards: a wait ended by a signal left its timer, which
    /// signalled as it was cancelled; the next wait returned at once and did
    /// the same, so `watch` spun on every core after its first event. A
    /// wait that is not signalled lasts at least its timeout, which a
    /// loaded machine can only make longer.
    @Test func aWaitEndedByASignalLeavesNothingThatEndsTheNextOne() async throws {
        let wakeup = Wakeup()
        for _ in 0..<3 {
            let waiting = Task { await wakeup.wait(timeout: .seconds(600)) }
            #expect(try await eventually { wakeup.isWaiting })
            wakeup.signal()
            await waiting.value
        }
        #expect(!wakeup.hasPendingSignal)
        let clock = ContinuousClock()
        let start = clock.now
        await wakeup.wait(timeout: .milliseconds(300))
        #expect(clock.now - start >= .milliseconds(300))
        #expect(!wakeup.isWaiting)
    }

    /// A signal given while no one waits is kept: the next wait returns at
    /// once, and only that one.
    @Test func aSignalBeforeTheWaitEndsItAtOnce() async throws {
        let wakeup = Wakeup()
        wakeup.signal()
        #expect(wakeup.hasPendingSignal)
        let clock = ContinuousClock()
        let start = clock.now
        await wakeup.wait(timeout: .seconds(600))
        #expect(clock.now - start < .seconds(300))
        #expect(!wakeup.hasPendingSignal)
    }

    /// Cancelling the waiting task (SIGTERM) ends the wait, and keeps a
    /// later signal for the next one.
    @Test func cancellationEndsTheWait() async throws {
        let wakeup = Wakeup()
        let waiting = Task { await wakeup.wait(timeout: .seconds(600)) }
        #expect(try await eventually { wakeup.isWaiting })
        waiting.cancel()
        await waiting.value
        #expect(!wakeup.isWaiting)
        wakeup.signal()
        #expect(wakeup.hasPendingSignal)
    }
}
