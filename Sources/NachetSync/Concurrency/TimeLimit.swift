import Synchronization

/// Runs `body`, or gives up waiting for it after `limit`: a check that
/// gets no answer (`doctor`'s, serve's `/health`) answers `timedOut`
/// instead of holding its caller up.
///
/// `body` runs in a task of its own and is cancelled at the limit; work it
/// cannot stop (a libpq call on its queue) is left to finish on its own,
/// unawaited, so the limit holds whatever the check is blocked on.
package func withTimeLimit<T: Sendable>(_ limit: Duration, timedOut: T, _ body: @escaping @Sendable () async -> T) async -> T {
    let answer = FirstAnswer<T>()
    return await withCheckedContinuation { continuation in
        answer.wait(with: continuation)
        let work = Task { answer.give(await body()) }
        Task {
            try? await Task.sleep(for: limit)
            work.cancel()
            answer.give(timedOut)
        }
    }
}

/// Resumes one continuation with the first answer given; later ones are dropped.
private final class FirstAnswer<T: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<T, Never>?>(nil)

    func wait(with continuation: CheckedContinuation<T, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    func give(_ value: T) {
        continuation.withLock { $0.take() }?.resume(returning: value)
    }
}
