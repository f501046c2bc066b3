import Foundation
import Synchronization

/// Which folder in flight takes a set name, when several folders passed
/// over at once resolve to the same one (`lot.1` and `lot_1`, one
/// `folder_name` given twice): the first in the order the folders were
/// started, exactly as when they were passed over one after another.
///
/// A folder gets a ``Ticket`` when its pass starts. One that makes a new
/// set claims its name (``claim(_:by:ticket:)``), waiting until every
/// folder started before it has claimed its own or passed the point where
/// it would have (``settle(_:)``): so the first folder wins whatever the
/// order in which their metadata happened to be read. A claim holds until
/// the folder's pass ends; by then the folder's record in the state file,
/// which later passes look at, names its set.
final class SetNameClaims: Sendable {
    /// A folder's place in the order passes started.
    struct Ticket: Sendable, Hashable {
        fileprivate let order: Int
    }

    /// An owner's set name.
    struct Name: Hashable, Sendable {
        var owner: UUID
        var name: String
    }

    private struct State {
        var nextOrder = 0
        /// Tickets that may still claim a name.
        var unsettled = Set<Int>()
        var claims: [Name: (folder: String, order: Int)] = [:]
        var waiters: [(order: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state = Mutex(State())

    /// A ticket for a pass starting now, after every ticket given before.
    func begin() -> Ticket {
        state.withLock { state in
            defer { state.nextOrder += 1 }
            state.unsettled.insert(state.nextOrder)
            return Ticket(order: state.nextOrder)
        }
    }

    /// Claims `name` for `folder`, once every folder started before it has
    /// settled; settles `ticket`.
    ///
    /// - Returns: The folder in flight holding the name already, when it is
    ///   another one that still exists; `nil` when the name is `folder`'s.
    func claim(_ name: Name, by folder: String, ticket: Ticket) async -> String? {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                guard state.unsettled.contains(where: { $0 < ticket.order }) else { return true }
                state.waiters.append((ticket.order, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
        let holder = state.withLock { state -> String? in
            if let held = state.claims[name], !held.folder.utf8.elementsEqual(folder.utf8), FileManager.default.fileExists(atPath: held.folder) {
                return held.folder
            }
            state.claims[name] = (folder, ticket.order)
            return nil
        }
        settle(ticket)
        return holder
    }

    /// The folder of `ticket` will claim no name (now): the folders after
    /// it no longer wait for it.
    func settle(_ ticket: Ticket) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard state.unsettled.remove(ticket.order) != nil else { return [] }
            let first = state.unsettled.min() ?? Int.max
            let ready = state.waiters.filter { $0.order <= first }
            state.waiters.removeAll { $0.order <= first }
            return ready.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// The pass of `ticket` ended: it no longer holds its claims.
    func end(_ ticket: Ticket) {
        settle(ticket)
        state.withLock { state in state.claims = state.claims.filter { $0.value.order != ticket.order } }
    }
}
