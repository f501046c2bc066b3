import Synchronization

/// A counting semaphore for tasks: at most `count` units held at once,
/// waiters served in order.
///
/// Uses: the Azure blocks in flight across every file uploaded at once, so
/// memory stays at `blockSize × blocksInFlight` however many files run in
/// parallel; the files hashed at once, so hashing leaves a core to the
/// uploads; and the bytes of small files held in memory between their read
/// and their upload, weighted by size. Permits are only held by running work
/// that gives them back, so every waiter is eventually served.
package final class AsyncPermits: Sendable {
    private struct Waiter {
        var units: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var available: Int
        var size: Int
        var waiters: [Waiter] = []

        /// Takes the units of the longest waiters there is room for, in order.
        mutating func serveWaiters() -> [CheckedContinuation<Void, Never>] {
            var served: [CheckedContinuation<Void, Never>] = []
            while let first = waiters.first, first.units <= available {
                available -= first.units
                served.append(first.continuation)
                waiters.removeFirst()
            }
            return served
        }
    }

    /// The most units there can be (``resize(to:)`` moves the units there
    /// are within it).
    package let total: Int
    private let state: Mutex<State>

    package init(_ count: Int) {
        total = max(1, count)
        state = Mutex(State(available: max(1, count), size: max(1, count)))
    }

    /// The units there are now.
    package var size: Int { state.withLock { $0.size } }

    /// Makes the units there are `count` (within 1 and ``total``): more
    /// serve the longest waiters at once; fewer are taken back as their
    /// holders give them back, nothing running is stopped.
    package func resize(to count: Int) {
        let count = min(max(1, count), total)
        let served = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.available += count - state.size
            state.size = count
            return state.serveWaiters()
        }
        for continuation in served { continuation.resume() }
    }

    /// Waits for `units` permits (at most ``total``: a larger claim waits
    /// for all of them; one larger than the units there are now waits until
    /// they grow). Waiters are served in order, so a large claim is not
    /// starved by small ones.
    package func acquire(_ units: Int = 1) async {
        let units = clamped(units)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                guard state.waiters.isEmpty, state.available >= units else {
                    state.waiters.append(Waiter(units: units, continuation: continuation))
                    return false
                }
                state.available -= units
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Takes `units` permits when they are free and no one waits for
    /// permits; never waits.
    /// - Returns: Whether they were taken (then ``release(_:)`` them).
    package func tryAcquire(_ units: Int = 1) -> Bool {
        let units = clamped(units)
        return state.withLock { state in
            guard state.waiters.isEmpty, state.available >= units else { return false }
            state.available -= units
            return true
        }
    }

    /// Gives `units` permits back, to the longest waiters they satisfy.
    package func release(_ units: Int = 1) {
        let units = clamped(units)
        let served = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.available += units
            return state.serveWaiters()
        }
        for continuation in served { continuation.resume() }
    }

    /// Runs `body` holding `units` permits.
    package func withPermit<Result>(_ units: Int = 1, _ body: () async throws -> Result) async rethrows -> Result {
        await acquire(units)
        defer { release(units) }
        return try await body()
    }

    /// The units held now.
    package var inUse: Int { state.withLock { $0.size - $0.available } }

    /// How many claims wait.
    var waitingCount: Int { state.withLock { $0.waiters.count } }

    private func clamped(_ units: Int) -> Int { min(max(1, units), total) }
}
