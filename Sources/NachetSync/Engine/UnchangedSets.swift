import Foundation
import Logging
import Synchronization

/// The sets of folders a pass skipped because nothing changed in them,
/// waiting to be checked at once (``SyncEngine/revalidateUnchangedSets()``).
final class UnchangedSets: Sendable {
    private let sets = Mutex<[UUID: String]>([:])

    /// Notes that the folder at `folder`, of set `setID`, was skipped.
    func note(_ setID: UUID, folder: String) {
        sets.withLock { $0[setID] = folder }
    }

    /// The sets noted since the last call, with their folders, and forgets them.
    func take() -> [UUID: String] {
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
    public func revalidateUnchangedSets() async throws -> [String] {
        let skipped = unchangedSets.take()
        guard !skipped.isEmpty else { return [] }
        let existing: Set<UUID>
        do {
            existing = try await destination.existingPictureSets(among: Array(skipped.keys))
        } catch {
            for (setID, folder) in skipped { unchangedSets.note(setID, folder: folder) }
            throw SyncRunError.escalating(error) ?? SyncRunError("cannot check the picture sets: \(error)", isTransient: true)
        }
        let gone = skipped.filter { !existing.contains($0.key) }.map(\.value).sorted()
        guard !gone.isEmpty else { return [] }
        try await state.perform { try $0.forgetListingDigests(of: gone) }
        logger.warning(
            "picture sets of unchanged folders are gone from \(destination.location); those folders are looked at again",
            metadata: ["folders": "\(gone.joined(separator: ", "))"])
        return gone
    }
}
