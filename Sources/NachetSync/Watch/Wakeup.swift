import Foundation
import Synchronization

/// Lets the watch loop sleep until something happens or a deadline passes,
/// without polling.
///
/// One task waits at a time (the watch loop); any thread may signal. A
/// signal with no one waiting is kept for the next wait. A wait leaves
/// nothing behind when it returns: its deadline is a child task, cancelled
/// and finished before `wait` returns, so it can neither end a later wait
/// nor pile up (a wait ended by a signal once left a timer that signalled
/// as it was cancelled, which ended the next wait at once, whose timer did
/// the same: `watch` spun at full speed after its first event).
package final class Wakeup: Sendable {
    private struct Waiting {
        var signalled = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(Waiting())

    package init() {}

    /// Wakes the waiter, or makes the next ``wait(timeout:)`` return at once.
    package func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.signalled = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after a ``signal()``, after `timeout`, or on task
    /// cancellation, whichever comes first; a signal given before the call
    /// ends it at once.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.signalled() }
            await group.next()
            group.cancelAll()
        }
    }

    /// Whether a signal waits for the next ``wait(timeout:)``.
    var hasPendingSignal: Bool { state.withLock { $0.signalled } }

    /// Whether a wait is under way.
    var isWaiting: Bool { state.withLock { $0.waiter != nil } }

    /// Returns after a signal, or once the task is cancelled (without
    /// taking a signal that comes later: it stays for the next wait).
    package func signalled() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.signalled {
                        state.signalled = false
                        return true
                    }
                    if Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
    }
}
