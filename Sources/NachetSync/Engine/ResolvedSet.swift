import Foundation

/// A set folder's metadata checked against the catalogue: the owner exists,
/// every seed it names exists, and its folder name is one Nachet can hold.
struct ResolvedSet: Sendable {
    /// What one picture is recorded with.
    struct PictureAttributes: Sendable, Equatable {
        var seed: Seed
        var zoom: Double?
        var seedCount: Int?
        var description: String
    }

    var owner: CatalogueUser
    /// The set's name and blob folder.
    var folderName: String
    var metadata: SetMetadata
    /// Seeds of the set and of each override, resolved.
    private var seeds: [SetMetadata.SeedReference: Seed]
    /// The seed of the set as a whole, for images without one of their own.
    private var setSeed: Seed

    /// What the picture made from the file `name` is recorded with.
    func attributes(forImage name: String) -> PictureAttributes {
        let fields = metadata.fields(forImage: name)
        // `resolve` checked that every reference the metadata holds names a seed.
        let seed = fields.seed.flatMap { seeds[$0] } ?? setSeed
        return PictureAttributes(
            seed: seed,
            zoom: fields.zoomLevel,
            seedCount: fields.seedCount,
            description: fields.description ?? ""
        )
    }

    /// How many `images` entries naming no file are each said by name.
    static let overridesNamed = 10

    /// A note for each of the first ``overridesNamed`` `images` entries of
    /// the metadata that name no file of the folder (their values reach no
    /// picture, most likely a typo), and one counting the others: a
    /// metadata.json written for another folder, naming 60,000 files, says
    /// eleven lines, not 60,000 at every pass.
    func overridesNamingNoImage(in listing: SetFolderListing) -> [String] {
        let names = Set((listing.images.map(\.name) + listing.skipped.map(\.name)).map { $0.lowercased() })
        let unmatched = metadata.images.keys.sorted().filter { !names.contains($0.lowercased()) }
        var notes = unmatched.prefix(Self.overridesNamed).map { name in
            "metadata.json: images: \"\(name)\" names no file in this folder, so its values apply to no picture; check the spelling (with the extension), or remove the entry"
        }
        if unmatched.count > Self.overridesNamed {
            notes.append(
                "metadata.json: images: \(unmatched.count - Self.overridesNamed) more entries name no file in this folder (\(unmatched.count) in all); check that this metadata.json belongs to this folder, or remove those entries"
            )
        }
        return notes
    }

    /// Checks `metadata` for the subfolder named `directoryName`.
    ///
    /// - Throws: ``MetadataProblems`` naming an unknown user or seed, with the fix.
    static func resolve(
        _ metadata: SetMetadata,
        directoryName: String,
        destination: DestinationDirectory
    ) async throws -> ResolvedSet {
        var problems: [MetadataProblem] = []
        let owner: CatalogueUser?
        switch metadata.user {
        case .email(let email):
            do {
                owner = try await destination.user(email: email)
            } catch let error where Self.isAmbiguousUser(error) {
                owner = nil
                problems.append(
                    MetadataProblem(
                        field: "user_email", message: "\(error)",
                        fix: "the folder waits until the catalogue holds one user with this address"))
            }
            if owner == nil, !problems.contains(where: { $0.field == "user_email" }) {
                problems.append(
                    MetadataProblem(
                        field: "user_email",
                        message: "no Nachet user is registered with \"\(email)\"",
                        fix:
                            "check the spelling, or register the user: `nachet-sync user add \(email)` (embedded catalogue) or ask the Nachet administrator"
                    )
                )
            }
        case .id(let id):
            owner = try await destination.user(id: id)
            if owner == nil {
                problems.append(
                    MetadataProblem(
                        field: "user_id",
                        message: "no Nachet user has the id \(id.lowercased)",
                        fix: "use user_email with the technician's registered address instead"
                    )
                )
            }
        }
        var seeds: [SetMetadata.SeedReference: Seed] = [:]
        let references =
            [("", metadata.pictures.seed)]
            + metadata.images.sorted { $0.key < $1.key }.map { ("images.\($0.key).", $0.value.seed) }
        var directory = try await destination.seeds()
        if references.contains(where: { $0.1.map { directory.seed($0) == nil } ?? false }) {
            // A seed the catalogue read before does not hold: read it again
            // (someone may have just added it) before calling it unknown.
            directory = try await destination.seeds(lookingFor: true)
        }
        for case (let prefix, .some(let reference)) in references where seeds[reference] == nil {
            if let seed = directory.seed(reference) {
                seeds[reference] = seed
            } else {
                let problem = directory.unknownSeedProblem(reference, field: prefix + reference.fieldName)
                if !problems.contains(problem) { problems.append(problem) }
            }
        }
        guard problems.isEmpty, let owner, let setSeed = metadata.pictures.seed.flatMap({ seeds[$0] }) else {
            throw MetadataProblems(problems)
        }
        let folderName = metadata.folderName ?? FolderName.derived(fromDirectoryName: directoryName)
        return ResolvedSet(owner: owner, folderName: folderName, metadata: metadata, seeds: seeds, setSeed: setSeed)
    }
}

extension ResolvedSet {
    /// Whether `error` says several users share the e-mail's ``EmailKey``,
    /// from the catalogue or from a service's answer.
    static func isAmbiguousUser(_ error: any Error) -> Bool {
        switch error {
        case let error as CatalogueError: error.code == .ambiguousUser
        case let error as APIError: error.serverCode == .ambiguousUser
        default: false
        }
    }
}

extension SetMetadata.SeedReference {
    /// The metadata field that holds this reference.
    var fieldName: String {
        switch self {
        case .name: "seed_name"
        case .id: "seed_id"
        }
    }
}
