import AsyncHTTPClient
import Synchronization

/// How far the server has taken a streamed request body: when it last
/// asked for more, and whether it has taken it all.
///
/// AsyncHTTPClient bounds a wait for the answer (its read timeout) and a
/// request body that is slow to come (its write timeout), but not a server
/// that stops reading: its write timer pauses while the connection is full.
/// ``bounding(stallsTo:_:)`` gives up on that one too.
final class UploadProgress: Sendable {
    private let lastTaken = Mutex(ContinuousClock.now)
    private let isComplete = Atomic(false)

    /// The server asked for the next piece: it took the one before.
    func noteTaken() {
        lastTaken.withLock { $0 = .now }
    }

    /// The whole body is on its way: from now on the wait is for the
    /// answer, which the HTTP client bounds itself.
    func noteComplete() {
        isComplete.store(true, ordering: .releasing)
    }

    /// Runs `exchange` (the request and the reading of its answer), failing
    /// it with `HTTPClientError.writeTimeout` when the server takes nothing
    /// of the body for `limit`.
    func bounding<T: Sendable>(stallsTo limit: Duration, _ exchange: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await exchange() }
            group.addTask {
                while !self.isComplete.load(ordering: .acquiring) {
                    let idle = ContinuousClock.now - self.lastTaken.withLock { $0 }
                    if idle >= limit { throw HTTPClientError.writeTimeout }
                    try await Task.sleep(for: limit - idle)
                }
                return nil
            }
            while let finished = try await group.next() {
                guard let value = finished else { continue }
                group.cancelAll()
                return value
            }
            // The exchange always gives a value or throws.
            throw HTTPClientError.cancelled
        }
    }
}
