import Foundation

/// A picture set with its pictures, as ``Catalogue/pictureSetListings(ownerID:)``
/// reads them for Nachet's folder view.
package struct PictureSetListing: Sendable, Hashable {
    /// One picture of the set.
    package struct Picture: Sendable, Hashable {
        package var id: UUID
        /// Whether the picture has a `picture_seed` row: Nachet counts such
        /// a picture as validated (every picture nachet-sync stores has one).
        package var isValidated: Bool

        package init(id: UUID, isValidated: Bool) {
            self.id = id
            self.isValidated = isValidated
        }
    }

    package var set: PictureSetRecord
    /// The set's pictures, oldest first.
    package var pictures: [Picture]

    package init(set: PictureSetRecord, pictures: [Picture]) {
        self.set = set
        self.pictures = pictures
    }

    /// Groups rows of (set, picture or none, validated), sets in order and
    /// each set's pictures in order, into listings.
    static func grouping(_ rows: [(set: PictureSetRecord, picture: UUID?, isValidated: Bool)]) -> [PictureSetListing] {
        var listings: [PictureSetListing] = []
        for row in rows {
            if listings.last?.set.id != row.set.id { listings.append(PictureSetListing(set: row.set, pictures: [])) }
            if let picture = row.picture {
                listings[listings.count - 1].pictures.append(Picture(id: picture, isValidated: row.isValidated))
            }
        }
        return listings
    }
}
