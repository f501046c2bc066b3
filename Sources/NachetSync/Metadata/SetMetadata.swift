import Foundation

/// The contents of a set folder's `metadata.json`: who owns the set and what
/// the pictures show.
///
/// ```json
/// {"user_email": "tech@lab.example", "seed_name": "Brassica napus",
///  "zoom_level": 1.5, "nb_seeds": 10,
///  "images": {"IMG_0007.tif": {"seed_name": "Bromus secalinus", "nb_seeds": 3}}}
/// ```
/// `examples/metadata.schema.json` states the same rules as a JSON Schema.
package struct SetMetadata: Sendable, Equatable {
    /// How the metadata names the set's owner.
    package enum UserReference: Sendable, Hashable, CustomStringConvertible {
        case email(String)
        case id(UUID)

        package var description: String {
            switch self {
            case .email(let email): "user_email \"\(email)\""
            case .id(let id): "user_id \(id.lowercased)"
            }
        }
    }

    /// How the metadata names a seed.
    package enum SeedReference: Sendable, Hashable {
        case name(String)
        case id(UUID)
    }

    /// What a picture shows; set-wide in ``SetMetadata/pictures``, or per file
    /// in ``SetMetadata/images`` where every field left `nil` falls back to the set's.
    package struct PictureFields: Sendable, Equatable {
        package var seed: SeedReference?
        package var zoomLevel: Double?
        package var seedCount: Int?
        package var description: String?

        package init(seed: SeedReference? = nil, zoomLevel: Double? = nil, seedCount: Int? = nil, description: String? = nil) {
            self.seed = seed
            self.zoomLevel = zoomLevel
            self.seedCount = seedCount
            self.description = description
        }

        /// These fields, with the gaps filled from `defaults`.
        package func over(_ defaults: PictureFields) -> PictureFields {
            PictureFields(
                seed: seed ?? defaults.seed,
                zoomLevel: zoomLevel ?? defaults.zoomLevel,
                seedCount: seedCount ?? defaults.seedCount,
                description: description ?? defaults.description
            )
        }
    }

    /// The set's owner.
    package var user: UserReference
    /// The fields every picture of the set gets; `seed` is always present.
    package var pictures: PictureFields
    /// The picture_set name and blob folder, when the metadata gives one.
    package var folderName: String?
    /// Per-file overrides, keyed by file name.
    package var images: [String: PictureFields]
    /// Whether the folder may add its images to a set that exists already
    /// and is not its own (`append_to_set`): the owner's `General` set, or
    /// the set of another folder of the same name.
    package var appendsToSet: Bool

    package init(
        user: UserReference,
        pictures: PictureFields,
        folderName: String? = nil,
        images: [String: PictureFields] = [:],
        appendsToSet: Bool = false
    ) {
        self.user = user
        self.pictures = pictures
        self.folderName = folderName
        self.images = images
        self.appendsToSet = appendsToSet
    }

    /// The fields of the picture made from the file `name`.
    package func fields(forImage name: String) -> PictureFields {
        (images[name] ?? images.first { $0.key.lowercased() == name.lowercased() }?.value)
            .map { $0.over(pictures) } ?? pictures
    }
}

extension UUID {
    /// The lower-case form Nachet and PostgreSQL print.
    package var lowercased: String { UUIDText.lowercased(self) }
}
