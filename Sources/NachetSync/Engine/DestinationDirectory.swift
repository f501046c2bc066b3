import Foundation
import Synchronization

/// What the engine knows of the destination's users and seeds, so passes
/// over folders ask a datastore far away as little as they can.
///
/// - The seed catalogue is read once, and again when a `metadata.json` names
///   a seed it does not hold (someone may have added it), at most once per
///   ``seedRefreshInterval``.
/// - Users found are kept, by e-mail and by id: users are not renamed or
///   removed under a running agent's feet in Nachet, and a reload (SIGHUP)
///   starts afresh. A user not found is asked again at every pass, so
///   registering the user is enough.
/// - Folders passed over at once that need the same answer share one
///   request (``SharedRequest``): sixty-four new folders of one technician
///   ask for the seeds and the user once, not sixty-four times.
package final class DestinationDirectory: Sendable {
    /// The shortest time between two readings of the seed catalogue.
    static let seedRefreshInterval = Duration.seconds(30)

    private struct Known {
        var seeds: SeedDirectory?
        var seedsReadAt: ContinuousClock.Instant?
        var usersByEmail: [EmailKey: CatalogueUser] = [:]
        var usersByID: [UUID: CatalogueUser] = [:]
    }

    private let destination: any Destination
    private let clock = ContinuousClock()
    private let known = Mutex(Known())
    /// The seed catalogue read once for everyone asking meanwhile.
    private let seedReads = SharedRequest<Int, SeedDirectory>()
    /// Each user asked once for everyone asking meanwhile, by e-mail key.
    private let usersByEmail = SharedRequest<EmailKey, CatalogueUser?>()
    private let usersByID = SharedRequest<UUID, CatalogueUser?>()

    package init(destination: any Destination) {
        self.destination = destination
    }

    /// The seed catalogue, read when first needed.
    package func seeds() async throws -> SeedDirectory {
        if let seeds = known.withLock({ $0.seeds }) { return seeds }
        return try await readSeeds()
    }

    /// The seed catalogue read again, when `missing` names a seed the one
    /// known does not hold and it was read long enough ago; else the one known.
    package func seeds(lookingFor missing: Bool) async throws -> SeedDirectory {
        let (seeds, readAt) = known.withLock { ($0.seeds, $0.seedsReadAt) }
        if let seeds, !missing || readAt.map({ clock.now - $0 < Self.seedRefreshInterval }) ?? false { return seeds }
        return try await readSeeds()
    }

    private func readSeeds() async throws -> SeedDirectory {
        try await seedReads.value(for: 0) { [self] in
            let seeds: SeedDirectory
            do {
                seeds = SeedDirectory(try await destination.seeds())
            } catch {
                throw SyncRunError.escalating(error) ?? SyncRunError("cannot read the seed catalogue: \(error)")
            }
            known.withLock { known in
                known.seeds = seeds
                known.seedsReadAt = clock.now
            }
            return seeds
        }
    }

    /// The user registered with `email` (compared by ``EmailKey``), or `nil`.
    ///
    /// - Throws: The destination's error when several users have that key
    ///   (``CatalogueError/Code-swift.struct/ambiguousUser``); that is not
    ///   kept, so a catalogue put right is seen at once.
    package func user(email: String) async throws -> CatalogueUser? {
        let key = EmailKey(email)
        if let user = known.withLock({ $0.usersByEmail[key] }) { return user }
        return try await usersByEmail.value(for: key) { [self] in
            let user = try await destination.user(email: email)
            if let user { remember(user, email: key) }
            return user
        }
    }

    /// The user with `id`, or `nil`.
    package func user(id: UUID) async throws -> CatalogueUser? {
        if let user = known.withLock({ $0.usersByID[id] }) { return user }
        return try await usersByID.value(for: id) { [self] in
            let user = try await destination.user(id: id)
            // Kept by id only: that no other user shares its e-mail's key is
            // known once the catalogue was asked by e-mail.
            if let user { remember(user, email: nil) }
            return user
        }
    }

    private func remember(_ user: CatalogueUser, email: EmailKey?) {
        known.withLock { known in
            if let email { known.usersByEmail[email] = user }
            known.usersByID[user.id] = user
        }
    }
}
