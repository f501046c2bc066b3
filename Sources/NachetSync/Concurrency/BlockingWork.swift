import NIOPosix

/// Where work that blocks a thread runs: reading and hashing files, writing
/// and syncing blobs, listing folders.
///
/// Swift's cooperative thread pool has one thread per core (two on a lab
/// PC); a `pread` on a slow share, an `fsync` on a busy disk or a hash of a
/// large image holding one of them stalls every task, the watcher's loop
/// and its watchdog pings included. So such work goes to a pool of threads
/// of its own, sized for waiting rather than for computing (CPU-bound
/// hashing is bounded separately, ``SyncEngine``'s hashing permits), and
/// the caller awaits it. SQLite files run on a serial queue each
/// (``SQLiteDatabase/perform(_:)``), as PostgreSQL connections do.
package enum BlockingWork {
    /// Threads of the pool: enough for a few files hashed, a few blobs
    /// synced and folders listed at once.
    static let threadCount = 8

    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threadCount)
        pool.start()
        return pool
    }()

    /// Runs `body` on the pool and returns what it returns.
    package static func run<Result: Sendable, Failure: Error>(
        _ body: @escaping @Sendable () throws(Failure) -> Result
    ) async throws(Failure) -> Result {
        let outcome = await withCheckedContinuation { (continuation: CheckedContinuation<Swift.Result<Result, Failure>, Never>) in
            pool.submit { _ in
                continuation.resume(returning: Swift.Result { () throws(Failure) -> Result in try body() })
            }
        }
        return try outcome.get()
    }
}
