import Foundation

/// Runs `body`, which blocks (a child process, a `waitpid`), on a thread of
/// its own and waits for it without holding a cooperative thread: the tests
/// run side by side on as many of those as there are cores (two here), and
/// one blocked for seconds stalls every other test.
package func onOwnThread<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Swift.Result { try body() })
        }
    }
}
