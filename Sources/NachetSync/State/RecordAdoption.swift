import Foundation

/// Which records a destination takes up once it has said what it is
/// (``SyncState/recognise``): a value with no I/O, tested on its own.
///
/// In order of preference:
/// 1. the records kept under what the destination is (`key`): written
///    through any address, once it was recognised;
/// 2. records written through this very address and never recognised
///    (a state file of an earlier version, or the first run here);
/// 3. records written through another address never recognised (a
///    catalogue that offers no id of its own, reached by another name, or
///    records an earlier version kept per address), once the destination
///    is found to hold most of their sets (``candidates``, confirmed by the
///    caller in batches: set ids are random, so only the database they
///    were made in holds them);
/// 4. none: the destination starts from records of its own.
struct RecordAdoption: Sendable, Equatable {
    /// Records to take without asking the destination, when some are.
    var taken: SyncState.RecordGroup?
    /// Records to take once the destination holds their sets, in order.
    var candidates: [SyncState.RecordGroup]
    /// What to make of the live records when nothing above is taken: they
    /// are relabelled when they are this address's and empty (`true`),
    /// else parked.
    var relabelsLive: Bool

    /// The adoption for the destination that says it is `key`, reached at
    /// `address` (as configured), with `groups` in the state file.
    init(key: DestinationIdentity, address: DestinationIdentity, groups: [SyncState.RecordGroup]) {
        let ordered = groups.filter(\.isLive) + groups.filter { !$0.isLive }
        /// A half written through this address, or under what it is.
        func isThis(_ half: String, _ keyHalf: String, _ addressHalf: String) -> Bool {
            half == keyHalf || (half == addressHalf && !DestinationIdentity.isIntrinsic(half))
        }
        let exact = ordered.first { $0.key == key && $0.folders > 0 }
        let thisAddress = ordered.filter {
            isThis($0.key.catalogue, key.catalogue, address.catalogue) && isThis($0.key.blobStore, key.blobStore, address.blobStore)
        }
        taken = exact ?? thisAddress.first { $0.folders > 0 }
        candidates =
            taken != nil
            ? []
            : ordered.filter {
                // Another address of a catalogue known by address only;
                // the blob store must be this one (the sets say nothing of it).
                !DestinationIdentity.isIntrinsic($0.key.catalogue) && !isThis($0.key.catalogue, key.catalogue, address.catalogue)
                    && isThis($0.key.blobStore, key.blobStore, address.blobStore) && !$0.sets.isEmpty
            }
        relabelsLive = thisAddress.contains { $0.isLive }
    }

    /// Whether the destination holds enough of `group`'s sets for them to
    /// have been made there: most of those sampled (`existing` among them).
    static func confirms(_ group: SyncState.RecordGroup, existing: Set<UUID>) -> Bool {
        !existing.isEmpty && existing.count * 2 >= group.sets.count
    }
}
