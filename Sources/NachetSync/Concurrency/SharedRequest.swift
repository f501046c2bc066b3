/// One request at a time per key, shared by everyone asking while it is
/// on its way: sixty-four folders passed over at once that need the seed
/// catalogue ask for it once.
actor SharedRequest<Key: Hashable & Sendable, Value: Sendable> {
    private var inFlight: [Key: Task<Value, any Error>] = [:]

    /// The value `fetch` gives, from the request for `key` on its way when
    /// there is one, else from a new one.
    func value(for key: Key, _ fetch: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let running = inFlight[key] { return try await running.value }
        let task = Task { try await fetch() }
        inFlight[key] = task
        defer { inFlight[key] = nil }
        return try await task.value
    }
}
