/// The open connections, counted in total and per remote address, and the
/// decision for each new one: let in, let in by closing the connection that
/// has waited longest for a request, or refuse.
///
/// A value type with the time given at each step, so it is tested without
/// a clock or a socket; ``ConnectionRegistry`` holds one behind a lock.
struct ConnectionTable<ID: Hashable & Sendable>: Sendable {
    /// What to do with a new connection.
    enum Admission: Equatable, Sendable {
        case admitted
        /// Let in in place of this one, which waited longest for a request:
        /// close it.
        case admittedInPlaceOf(ID)
        /// Every connection is busy with a request: close the new one.
        case refusedFull
        /// Its address has as many connections as one address may have.
        case refusedAddressFull
    }

    private struct Entry: Sendable {
        /// `nil` for an address without a per-address limit.
        var address: String?
        /// Since when it has waited for a request head; `nil` while busy.
        var waitingSince: ContinuousClock.Instant?
    }

    /// Connections open at once.
    let limit: Int
    /// Connections from one address at once; 0 for no such limit.
    let perAddressLimit: Int

    private var entries: [ID: Entry] = [:]
    private var perAddress: [String: Int] = [:]

    init(limit: Int, perAddressLimit: Int) {
        self.limit = max(1, limit)
        self.perAddressLimit = max(0, perAddressLimit)
    }

    /// How many are open.
    var count: Int { entries.count }

    /// How many are open from `address`.
    func count(from address: String) -> Int { perAddress[address] ?? 0 }

    /// Decides on the new connection `id` from `address` (`nil`: an address
    /// with no per-address limit), and counts it when let in, as waiting for
    /// its first request since `now`.
    mutating func admit(_ id: ID, from address: String?, at now: ContinuousClock.Instant) -> Admission {
        if let address, perAddressLimit > 0, count(from: address) >= perAddressLimit { return .refusedAddressFull }
        var admission = Admission.admitted
        if entries.count >= limit {
            guard let longest = longestWaiting() else { return .refusedFull }
            remove(longest)
            admission = .admittedInPlaceOf(longest)
        }
        entries[id] = Entry(address: address, waitingSince: now)
        if let address { perAddress[address, default: 0] += 1 }
        return admission
    }

    /// Forgets a connection that closed (or was closed); nothing when it
    /// was already forgotten.
    mutating func remove(_ id: ID) {
        guard let entry = entries.removeValue(forKey: id) else { return }
        guard let address = entry.address, let count = perAddress[address] else { return }
        perAddress[address] = count > 1 ? count - 1 : nil
    }

    /// Records that `id` waits for a request head since `since`, or is
    /// busy with a request (`nil`).
    mutating func setWaiting(_ id: ID, since: ContinuousClock.Instant?) {
        entries[id]?.waitingSince = since
    }

    /// Every connection's id.
    var ids: [ID] { Array(entries.keys) }

    /// The connection waiting longest for a request head, if any waits.
    private func longestWaiting() -> ID? {
        var longest: (id: ID, since: ContinuousClock.Instant)?
        for (id, entry) in entries {
            guard let since = entry.waitingSince else { continue }
            if longest.map({ since < $0.since }) ?? true { longest = (id, since) }
        }
        return longest?.id
    }
}
