import Synchronization

/// Bounds the blocks in flight across every large file the store uploads at
/// once, so memory stays at `blockSize × blocksInFlight` however many files
/// run in parallel (`--parallel-uploads`).
///
/// A block's permit is taken before its bytes are read and given back once
/// its request is answered; permits are only held by running uploads, so
/// every waiter is eventually served.
final class BlockPermits: Sendable {
    private struct State {
        var available: Int
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(_ count: Int) {
        state = Mutex(State(available: max(1, count)))
    }

    /// Waits for a permit.
    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                guard state.available > 0 else {
                    state.waiters.append(continuation)
                    return false
                }
                state.available -= 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Gives a permit back, to the longest waiter if any.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
