import Foundation
import Logging
import Synchronization

/// Whether the catalogue and the blob store answer, shared by everything
/// that talks to them: how a failure is said at once and never more than
/// once per cause, how the agent says a store works again, and what
/// `watch` shows in systemd's `STATUS=` line while a store is down.
///
/// A request that fails and is retried reports ``retrying(_:cause:place:retryingFor:retry:)``;
/// one that gets an answer reports ``answered(_:)``. Every retry is said at
/// warning level with its cause and the give-up time — once: a new cause,
/// or a retry further than any said so far (retry 2, retry 3…), is a
/// warning; the same cause at a retry already said (the other 31 of 32
/// uploads failing together) only a debug line. The first answer after
/// failures is said at notice level.
package final class StoreHealth: Sendable {
    /// A datastore part the agent talks to over a network.
    package enum Store: String, Sendable, CaseIterable, CustomStringConvertible {
        case catalogue
        case blobStore = "blob store"
        /// Nachet's batch-import API (`--nachet-url`).
        case api = "Nachet API"

        package var description: String { rawValue }
    }

    /// A store failing now: the cause last seen, and since when.
    package struct Trouble: Sendable, Equatable {
        package var store: Store
        /// The last cause, said without secrets (e.g. `connection refused`).
        package var cause: String
        /// When the first failure of this stretch came.
        package var since: Date
    }

    private struct State {
        var troubles: [Store: Trouble] = [:]
        /// Causes said at warning level since each store last answered.
        var said: [Store: Set<String>] = [:]
        /// The furthest retry said at warning level since each store last answered.
        var furthestRetry: [Store: Int] = [:]
    }

    private let state = Mutex(State())
    private let logger: Logger

    package init(logger: Logger) {
        self.logger = logger
    }

    /// The stores failing now, catalogue first.
    package var troubles: [Trouble] {
        state.withLock { state in Store.allCases.compactMap { state.troubles[$0] } }
    }

    /// A request to `store` failed with `cause` and will be sent again.
    ///
    /// - Parameters:
    ///   - cause: What went wrong, without secrets: said as it is, and the
    ///     key under which it is said once.
    ///   - place: Where the store is, without secrets, for the message.
    ///   - window: How long requests are retried before the agent gives up
    ///     (the give-up time), for the message; `nil` when never.
    ///   - retry: Which retry of the request this is (1 for the first).
    package func retrying(_ store: Store, cause: String, place: String, retryingFor window: Duration?, retry: Int = 1) {
        let isNew = state.withLock { state in
            if state.troubles[store] == nil {
                state.troubles[store] = Trouble(store: store, cause: cause, since: Date())
            } else {
                state.troubles[store]?.cause = cause
            }
            let newCause = state.said[store, default: []].insert(cause).inserted
            let furtherRetry = retry > state.furthestRetry[store, default: 0]
            state.furthestRetry[store] = max(retry, state.furthestRetry[store, default: 0])
            return newCause || furtherRetry
        }
        logger.log(
            level: isNew ? .warning : .debug,
            "cannot reach the \(store) (\(place)): \(cause); \(window.map { "retrying for up to \(Self.seconds($0)) (--give-up-after)" } ?? "retrying")\(retry > 1 ? ", retry \(retry)" : "")",
            metadata: ["store": "\(store)"]
        )
    }

    /// A request to `store` failed for good (the give-up time passed): kept
    /// as a trouble until the store answers again.
    package func gaveUp(_ store: Store, cause: String) {
        state.withLock { state in
            if state.troubles[store] == nil {
                state.troubles[store] = Trouble(store: store, cause: cause, since: Date())
            } else {
                state.troubles[store]?.cause = cause
            }
        }
    }

    /// A request to `store` was answered: the store works. Said once after
    /// a stretch of failures.
    package func answered(_ store: Store) {
        let ended = state.withLock { state -> Trouble? in
            state.said[store] = nil
            state.furthestRetry[store] = nil
            return state.troubles.removeValue(forKey: store)
        }
        guard let ended else { return }
        logger.notice(
            "the \(store) answers again (it failed for \(Self.seconds(.seconds(max(0, Date().timeIntervalSince(ended.since)))))): \(ended.cause)",
            metadata: ["store": "\(store)"]
        )
    }

    /// `window` as people say it, to a tenth of a second: `60 s`, `1.5 s`
    /// (a deadline 1.9996 s away is `2 s`, not `2.0 s`).
    static func seconds(_ window: Duration) -> String {
        let seconds = Double(window.components.seconds) + Double(window.components.attoseconds) / 1e18
        let tenths = (seconds * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? "\(Int64(tenths / 10)) s" : String(format: "%.1f s", tenths / 10)
    }
}
