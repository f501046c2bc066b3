/// Runs work for each element of a sequence, a bounded number at once,
/// started in the sequence's order, and hands each result back to the
/// caller's task as it ends.
enum BoundedConcurrency {
    /// Runs `work` for each of `elements`, at most `limit` at once, and
    /// calls `finished` with each result, in the caller's task, as it ends.
    ///
    /// - Throws: The first error of `work` or `finished`: the work still
    ///   running is cancelled. `CancellationError` when cancelled before
    ///   everything started.
    static func forEach<Elements: Sequence, Output: Sendable>(
        _ elements: Elements,
        atMost limit: Int,
        _ work: @escaping @Sendable (Elements.Element) async throws -> Output,
        finished: (Output) async throws -> Void
    ) async throws where Elements.Element: Sendable {
        try await withThrowingTaskGroup(of: Output.self) { group in
            var pending = elements.makeIterator()
            var running = 0
            func startNext() throws -> Bool {
                try Task.checkCancellation()
                guard let element = pending.next() else { return false }
                group.addTask { try await work(element) }
                running += 1
                return true
            }
            while running < max(1, limit), try startNext() {}
            while let output = try await group.next() {
                running -= 1
                try await finished(output)
                _ = try startNext()
            }
        }
    }
}
