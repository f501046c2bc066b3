import Synchronization

/// The pictures in flight at once, across every set folder passed over at
/// once: a fixed number (`--parallel-uploads`), or sized to the network as
/// it goes (``WindowSizing``: about twice the pictures the path to the
/// destination holds, so a store 100 ms away gets as many as it takes to
/// keep it busy, and one on the same machine no more than help).
///
/// Pictures wait for their turn in order, holding nothing.
final class PictureWindow: Sendable {
    /// The least pictures in flight when the window adapts.
    static let adaptiveMinimum = 16
    /// The most pictures in flight when the window adapts: each holds a
    /// file open and, for a store that sends bytes, a connection.
    static let adaptiveMaximum = 256

    /// The most pictures the window may ever hold.
    var maximum: Int { turns.total }
    /// The pictures in flight allowed now.
    var size: Int { turns.size }
    /// The pictures waiting for their turn.
    var waiting: Int { turns.waitingCount }

    private let turns: AsyncPermits
    /// How the window moves; `nil` when fixed.
    private let sizing: Mutex<WindowSizing?>
    private let clock = ContinuousClock()

    /// A window of `size` pictures; when `adapts`, `size` is where it
    /// starts, and it moves between ``adaptiveMinimum`` and ``adaptiveMaximum``.
    init(size: Int, adapts: Bool) {
        let size = max(1, size)
        guard adapts else {
            turns = AsyncPermits(size)
            sizing = Mutex(nil)
            return
        }
        let sizing = WindowSizing(start: size, minimum: Self.adaptiveMinimum, maximum: max(size, Self.adaptiveMaximum))
        turns = AsyncPermits(sizing.maximum)
        turns.resize(to: sizing.window)
        self.sizing = Mutex(Optional(sizing))
    }

    /// Runs `body` as one picture in flight, once the window has room.
    ///
    /// - Parameters:
    ///   - measures: Whether a result's time tells how the path is doing
    ///     (a picture refused before it reached the destination does not).
    ///   - body: The picture's work.
    func withTurn<Result>(
        measuredWhen measures: (Result) -> Bool = { _ in true }, _ body: () async throws -> Result
    ) async rethrows -> Result {
        await turns.acquire()
        let start = clock.now
        let result: Result
        do {
            result = try await body()
        } catch {
            finish(took: nil)
            throw error
        }
        finish(took: measures(result) ? clock.now - start : nil)
        return result
    }

    /// One picture is done (in `time`, when it is a measure of the path):
    /// the window may move, then its turn goes to the longest waiter.
    private func finish(took time: Duration?) {
        let now = clock.now
        let waiting = turns.waitingCount > 0
        // Whether this was the last picture in flight (its turn is still
        // held): the window then stops measuring until the next.
        let idle = !waiting && turns.inUse == 1
        let window = sizing.withLock { sizing -> Int? in
            guard sizing != nil else { return nil }
            let changed = time.map { sizing?.finished(after: $0, at: now, othersWaited: waiting) ?? false } ?? false
            if idle { sizing?.becameIdle() }
            return changed ? sizing?.window : nil
        }
        if let window { turns.resize(to: window) }
        turns.release()
    }
}
