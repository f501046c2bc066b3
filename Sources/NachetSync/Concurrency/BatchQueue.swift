/// Gathers what many tasks ask for at about the same time into one batch
/// per key, so a datastore far away is asked once for all of them.
///
/// While a batch of a key is being performed, what is submitted for that
/// key waits; when it ends, everything waiting goes as the next batch (up
/// to ``maximumBatch``). So the batch size follows the load by itself: one
/// task alone gets a batch of one at once, and many tasks behind a slow
/// round trip share it. Batches of one key never overlap, which keeps them
/// in the order they were submitted; batches of different keys run at once.
actor BatchQueue<Key: Hashable & Sendable, Input: Sendable, Output: Sendable> {
    private typealias Request = (input: Input, continuation: CheckedContinuation<Output, any Error>)

    /// The largest batch sent at once.
    let maximumBatch: Int
    private let perform: @Sendable (Key, [Input]) async throws -> [Output]
    private var waiting: [Key: [Request]] = [:]
    private var running: Set<Key> = []

    /// - Parameters:
    ///   - maximumBatch: The largest batch.
    ///   - perform: Does a batch: one output per input, in order, or throws
    ///     (every input of the batch then gets the error).
    init(maximumBatch: Int, perform: @escaping @Sendable (Key, [Input]) async throws -> [Output]) {
        self.maximumBatch = max(1, maximumBatch)
        self.perform = perform
    }

    /// Adds `input` to the next batch of `key` and waits for its output.
    func submit(_ input: Input, key: Key) async throws -> Output {
        try await withCheckedThrowingContinuation { continuation in
            waiting[key, default: []].append((input, continuation))
            if !running.contains(key) { startBatch(of: key) }
        }
    }

    /// How many inputs of `key` wait for the next batch.
    func waitingCount(for key: Key) -> Int { waiting[key]?.count ?? 0 }

    private func startBatch(of key: Key) {
        guard var requests = waiting[key], !requests.isEmpty else {
            running.remove(key)
            waiting[key] = nil
            return
        }
        let batch = Array(requests.prefix(maximumBatch))
        requests.removeFirst(batch.count)
        waiting[key] = requests
        running.insert(key)
        let perform = self.perform
        // The batch runs in a task of its own: it serves every submitter
        // alike, and each of them waits on its own continuation.
        Task {
            do {
                let outputs = try await perform(key, batch.map(\.input))
                guard outputs.count == batch.count else { throw BatchQueueError.outputCountMismatch }
                for (request, output) in zip(batch, outputs) { request.continuation.resume(returning: output) }
            } catch {
                for request in batch { request.continuation.resume(throwing: error) }
            }
            self.batchEnded(key)
        }
    }

    private func batchEnded(_ key: Key) {
        running.remove(key)
        startBatch(of: key)
    }
}

/// A batch's work answered a different number of outputs than inputs.
enum BatchQueueError: Error {
    case outputCountMismatch
}

extension BatchQueue where Key == Int {
    /// A queue of one stream of batches: everything submitted goes in the
    /// next batch, whatever it concerns (the pictures of many sets, many
    /// sets), one batch at a time.
    init(maximumBatch: Int, perform: @escaping @Sendable ([Input]) async throws -> [Output]) {
        self.init(maximumBatch: maximumBatch) { _, inputs in try await perform(inputs) }
    }

    /// Adds `input` to the next batch and waits for its output.
    func submit(_ input: Input) async throws -> Output {
        try await submit(input, key: 0)
    }
}
