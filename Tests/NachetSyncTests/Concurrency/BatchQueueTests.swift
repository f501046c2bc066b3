import Synchronization
import NachetSyncTestSupport
import Testing

@testable import NachetSync

@Suite("Batch queue and weighted permits")
struct BatchQueueTests {
    /// Lets the test hold a batch open until it says so (without spinning:
    /// a waiting batch holds no thread).
    private final class Gate: Sendable {
        private struct State {
            var opened = false
            var waiter: CheckedContinuation<Void, Never>?
            var batches: [[Int]] = []
        }

        private let state = Mutex(State())

        func record(_ batch: [Int]) { state.withLock { $0.batches.append(batch) } }
        var seen: [[Int]] { state.withLock { $0.batches } }

        func open() {
            let waiter = state.withLock { state in
                state.opened = true
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }

        func wait() async {
            await withCheckedContinuation { continuation in
                let opened = state.withLock { state in
                    if !state.opened { state.waiter = continuation }
                    return state.opened
                }
                if opened { continuation.resume() }
            }
        }
    }

    /// What happened, in order.
    private final class Order: Sendable {
        private let log = Mutex<[String]>([])
        func append(_ item: String) { log.withLock { $0.append(item) } }
        var items: [String] { log.withLock { $0 } }
    }

    @Test func whatIsSubmittedWhileABatchRunsGoesTogetherInTheNext() async throws {
        let gate = Gate()
        let queue = BatchQueue<String, Int, Int>(maximumBatch: 100) { _, inputs in
            gate.record(inputs)
            if inputs == [0] { await gate.wait() }
            return inputs.map { $0 * 10 }
        }
        let first = Task { try await queue.submit(0, key: "set") }
        // The first batch is [0], held open; the next nine wait behind it.
        try #require(try await eventually { gate.seen.count == 1 })
        let rest = (1...9).map { value in Task { try await queue.submit(value, key: "set") } }
        try #require(try await eventually { await queue.waitingCount(for: "set") == 9 })
        gate.open()

        #expect(try await first.value == 0)
        for (index, task) in rest.enumerated() { #expect(try await task.value == (index + 1) * 10) }
        #expect(gate.seen.count == 2, "the nine went as one batch: \(gate.seen)")
        #expect(gate.seen.last.map { Set($0) } == Set(1...9))
    }

    @Test func batchesAreCutAtTheMaximumAndAnErrorReachesEveryInputOfItsBatch() async throws {
        struct Refused: Error {}
        let queue = BatchQueue<Int, Int, Int>(maximumBatch: 3) { _, inputs in
            if inputs.contains(4) { throw Refused() }
            return inputs
        }
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for value in 0..<6 { group.addTask { (value, (try? await queue.submit(value, key: 1)) != nil) } }
            return await group.reduce(into: [Int: Bool]()) { $0[$1.0] = $1.1 }
        }
        #expect(results[4] == false)
        #expect(results.values.filter { $0 }.count >= 3, "inputs of other batches were answered: \(results)")
    }

    @Test func weightedPermitsServeWaitersInOrder() async throws {
        let permits = AsyncPermits(10)
        await permits.acquire(8)
        let order = Order()
        let large = Task {
            await permits.acquire(6)
            order.append("large")
        }
        try #require(try await eventually { permits.waitingCount == 1 })
        let small = Task {
            await permits.acquire(1)
            order.append("small")
        }
        try #require(try await eventually { permits.waitingCount == 2 })
        // 2 units are free: enough for the small claim, but it waits behind the large one.
        #expect(order.items.isEmpty)
        permits.release(8)
        await large.value
        await small.value
        #expect(order.items == ["large", "small"])
    }

    @Test func tryingForPermitsNeverWaitsNorPassesAWaiter() async throws {
        let permits = AsyncPermits(10)
        #expect(permits.tryAcquire(8))
        #expect(!permits.tryAcquire(3), "only 2 are free")
        let large = Task { await permits.acquire(6) }
        try #require(try await eventually { permits.waitingCount == 1 })
        #expect(!permits.tryAcquire(1), "2 are free, but a claim waits before it")
        permits.release(8)
        await large.value
        #expect(permits.tryAcquire(4))
        #expect(!permits.tryAcquire(1))
    }
}
