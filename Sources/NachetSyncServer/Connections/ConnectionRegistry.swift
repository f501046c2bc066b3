import NIOCore
import Synchronization

/// Every connection the server holds, so that it can cap them as they are
/// accepted (in total and per address, ``ConnectionTable``), make room by
/// closing the one waiting longest for a request, and close those still
/// open when the drain deadline passes.
///
/// Shared by every event loop: each call takes a lock for the few steps of
/// the table, and closes channels outside it.
final class ConnectionRegistry: Sendable {
    private struct State: Sendable {
        var table: ConnectionTable<ObjectIdentifier>
        var channels: [ObjectIdentifier: any Channel] = [:]
    }

    private let state: Mutex<State>
    private let events: ConnectionEvents
    /// Where the connections open are counted (`nachet_sync_serve_connections_open`).
    private let metrics: ServeMetrics

    init(limits: ServerLimits, events: ConnectionEvents, metrics: ServeMetrics = .disabled) {
        state = Mutex(
            State(table: ConnectionTable(limit: limits.maximumConnections, perAddressLimit: limits.maximumConnectionsPerAddress)))
        self.events = events
        self.metrics = metrics
    }

    /// How many connections are open.
    var count: Int { state.withLock { $0.table.count } }

    /// Decides on a connection just accepted: counts it and returns `true`,
    /// closing another to make room when it must; or closes it at once and
    /// returns `false`. Either way, with a log line (rate-limited).
    func admit(_ channel: any Channel) -> Bool {
        let id = ObjectIdentifier(channel)
        let remote = channel.remoteAddress
        let (admission, replaced) = state.withLock { state -> (ConnectionTable<ObjectIdentifier>.Admission, (any Channel)?) in
            let admission = state.table.admit(id, from: ClientAddress.key(of: remote), at: .now)
            defer { metrics.connectionsOpen(state.table.count) }
            switch admission {
            case .admitted:
                state.channels[id] = channel
                return (admission, nil)
            case .admittedInPlaceOf(let longest):
                state.channels[id] = channel
                return (admission, state.channels.removeValue(forKey: longest))
            case .refusedFull, .refusedAddressFull:
                return (admission, nil)
            }
        }
        switch admission {
        case .admitted:
            break
        case .admittedInPlaceOf:
            replaced?.close(promise: nil)
            events.record(.replacedLongestWaiting, remote: replaced?.remoteAddress?.ipAddress)
        case .refusedFull:
            channel.close(promise: nil)
            events.record(.refusedFull, remote: remote?.ipAddress)
            return false
        case .refusedAddressFull:
            channel.close(promise: nil)
            events.record(.refusedAddressFull, remote: remote?.ipAddress)
            return false
        }
        channel.closeFuture.whenComplete { [weak self] _ in self?.forget(id) }
        return true
    }

    /// Records that the connection waits for a request head since `since`,
    /// or is busy with a request (`nil`).
    func setWaiting(_ channel: ObjectIdentifier, since: ContinuousClock.Instant?) {
        state.withLock { $0.table.setWaiting(channel, since: since) }
    }

    /// Closes every connection still open.
    /// - Returns: How many there were.
    func closeAll() -> Int {
        let channels = state.withLock { state in
            let channels = Array(state.channels.values)
            for id in state.table.ids { state.table.remove(id) }
            state.channels.removeAll()
            return channels
        }
        for channel in channels { channel.close(promise: nil) }
        return channels.count
    }

    private func forget(_ id: ObjectIdentifier) {
        state.withLock { state in
            state.table.remove(id)
            state.channels[id] = nil
            metrics.connectionsOpen(state.table.count)
        }
    }
}
