import Foundation
import Logging
import Synchronization

/// Whether the engine's destination was recognised (once per engine).
final class DestinationRecognition: Sendable {
    private let done = Mutex(false)

    var isDone: Bool { done.withLock { $0 } }

    func finish() { done.withLock { $0 = true } }
}

extension SyncEngine {
    /// The most sets of a group of records asked about when confirming it.
    static let setsConfirmingRecords = 256

    /// Makes the state file's live records those of the destination as it
    /// says it is (``Destination/identity()``), whatever address reaches it,
    /// before the first pass reads any (``RecordAdoption``): the same
    /// database through another host name keeps its records, and another
    /// database of the same name starts from its own. Once per engine.
    ///
    /// - Throws: ``SyncRunError`` when the destination cannot be asked
    ///   (the pass is retried, as for any outage).
    func recogniseDestination() async throws {
        guard let address = state.destination, !recognition.isDone else { return }
        do {
            let said = try await destination.identity()
            let (reached, groups) = try await state.perform { state in
                (try state.key(for: address), try state.recordGroups(sampling: Self.setsConfirmingRecords))
            }
            let key = DestinationIdentity(
                catalogue: said.catalogue ?? reached.catalogue, blobStore: said.blobStore ?? reached.blobStore)
            let adoption = RecordAdoption(key: key, address: address, groups: groups)
            var taken = adoption.taken
            for candidate in adoption.candidates where taken == nil {
                let sets = Array(candidate.sets.keys)
                let existing = try await destination.existingPictureSets(among: sets, owners: candidate.sets.compactMapValues { $0 })
                if RecordAdoption.confirms(candidate, existing: existing) { taken = candidate }
            }
            let group = taken?.key ?? (adoption.relabelsLive ? groups.first(where: \.isLive)?.key : nil)
            try await state.perform { try $0.adopt(group, as: key, reachedAt: address) }
            try await sayWhichRecords(key: key, taken: taken, address: address)
        } catch let error as SyncStateError {
            throw SyncRunError(error.message, isTransient: true, reason: .stateFile)
        } catch {
            throw SyncRunError.escalating(error)
                ?? SyncRunError("cannot tell which datastore \(destination.location) is: \(error)", isTransient: true)
        }
        recognition.finish()
    }

    /// Says once whose records the pass starts from, when it is not the
    /// destination the state file was last used with.
    private func sayWhichRecords(key: DestinationIdentity, taken: SyncState.RecordGroup?, address: DestinationIdentity) async throws {
        guard let before = state.destinationAtOpening, before != key else { return }
        let (now, then) = try await state.perform { state in (try state.displayName(of: key), try state.displayName(of: before)) }
        if taken?.isLive == true && taken?.key == before { return }  // this address's records, now kept under what it is
        if let taken, !taken.isLive {
            logger.notice(
                "the same datastore as before, reached at another address: it keeps its records",
                metadata: ["destination": "\(address)", "recognised_as": "\(key)"])
        } else {
            logger.notice(
                "another catalogue or blob store than last time: it starts from its own records (the state file keeps the other's, for when it is used again), and the datastore check compares it with the folders",
                metadata: ["destination": "\(now)", "previous_destination": "\(then)"])
        }
    }
}
