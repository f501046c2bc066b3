import Foundation
import Logging
import Synchronization

/// The sets of folders a pass skipped because nothing changed in them,
/// waiting to be checked at once (``SyncEngine/revalidateUnchangedSets()``).
final class UnchangedSets: Sendable {
    /// A skipped folder, and the owner of its set when known.
    struct Skipped: Sendable {
        var folder: String
        var owner: UUID?
    }

    private let sets = Mutex<[UUID: Skipped]>([:])

    /// Notes that the folder at `folder`, of set `setID` owned by `owner`, was skipped.
    func note(_ setID: UUID, owner: UUID?, folder: String) {
        sets.withLock { $0[setID] = Skipped(folder: folder, owner: owner) }
    }

    /// The sets noted since the last call, with their folders, and forgets them.
    func take() -> [UUID: Skipped] {
        sets.withLock { sets in
            defer { sets = [:] }
            return sets
        }
    }
}

extension SyncEngine {
    /// Checks, in one request to the destination, that the sets of the
    /// folders skipped as unchanged since the last call still exist; the
    /// folders of those that are gone forget their listing digest, so their
    /// next pass looks at everything again.
    /// - Returns: The folders whose set is gone.
    /// - Throws: ``SyncRunError`` when the destination cannot be asked.
    package func revalidateUnchangedSets() async throws -> [String] {
        let skipped = unchangedSets.take()
        guard !skipped.isEmpty else { return [] }
        let existing: Set<UUID>
        do {
            existing = try await destination.existingPictureSets(
                among: Array(skipped.keys), owners: skipped.compactMapValues(\.owner))
        } catch {
            for (setID, folder) in skipped { unchangedSets.note(setID, owner: folder.owner, folder: folder.folder) }
            throw SyncRunError.escalating(error) ?? SyncRunError("cannot check the picture sets: \(error)", isTransient: true)
        }
        let gone = skipped.filter { !existing.contains($0.key) }.map(\.value.folder).sorted()
        guard !gone.isEmpty else { return [] }
        try await state.perform { try $0.forgetListingDigests(of: gone) }
        logger.warning(
            "picture sets of unchanged folders are gone from \(destination.location); those folders are looked at again",
            metadata: ["folders": "\(gone.joined(separator: ", "))"])
        return gone
    }
}
