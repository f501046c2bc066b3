import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The catalogue's reads for Nachet's folder view (`serve`'s
/// `/get-directories` and `/get-picture`), on every backend.
@Suite("Catalogue contract: listings")
struct CatalogueListingContractTests {
    @Test(arguments: CatalogueKind.allCases)
    func aUsersSetsAreListedByDayAndNameWithTheirPictures(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory).catalogue
        let (user, _) = try await catalogue.registerUser(email: "tech@lab.example")
        let (other, _) = try await catalogue.registerUser(email: "other@lab.example")
        let seed = try #require(try await catalogue.seeds().first)
        let (lot, _) = try await catalogue.findOrCreatePictureSet(
            NewPictureSet(ownerID: user.id, name: "lot-1", document: PictureSetDocument(createdBy: user.id)))
        let (empty, _) = try await catalogue.findOrCreatePictureSet(
            NewPictureSet(ownerID: user.id, name: "lot-2", document: PictureSetDocument(createdBy: user.id)))
        var ids: [UUID] = []
        for index in 0..<3 {
            let picture = NewPicture(
                id: UUID(), setID: lot.id, seedID: seed.id,
                document: PictureDocument(
                    link: "file:///x", seedCount: nil, zoom: nil, description: "",
                    sha256: ContentHash(hex: String(format: "%064x", index))!,
                    fileName: "\(index).png"))
            ids.append(try await catalogue.insertPictureIfAbsent(picture).record.id)
        }

        let listings = try await catalogue.pictureSetListings(ownerID: user.id)
        #expect(listings.map(\.set.id) == [try #require(user.defaultSetID), lot.id, empty.id])
        let listed = try #require(listings.first { $0.set.id == lot.id })
        #expect(listed.set.ownerID == user.id && listed.set.numberOfImages == 3)
        #expect(Set(listed.pictures.map(\.id)) == Set(ids))
        #expect(listed.pictures.allSatisfy { $0.isValidated })
        #expect(listings.first { $0.set.id == empty.id }?.pictures.isEmpty == true)
        #expect(try await catalogue.pictureSetListings(ownerID: other.id).map(\.set.name) == ["General"])
        #expect(try await catalogue.pictureSetListings(ownerID: UUID()).isEmpty)
    }

    @Test(arguments: CatalogueKind.allCases)
    func aPictureIsFoundByItsID(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory).catalogue
        let (user, _) = try await catalogue.registerUser(email: "tech@lab.example")
        let seed = try #require(try await catalogue.seeds().first)
        let setID = try #require(user.defaultSetID)
        let hash = ContentHash(hex: String(repeating: "c", count: 64))!
        let inserted = try await catalogue.insertPictureIfAbsent(
            NewPicture(
                id: UUID(), setID: setID, seedID: seed.id,
                document: PictureDocument(link: "file:///x", seedCount: 2, zoom: 1, description: "", sha256: hash, fileName: "c.png")))

        let found = try #require(try await catalogue.picture(id: inserted.record.id))
        #expect(found == PictureRecord(id: inserted.record.id, setID: setID, sha256: hash, fileName: "c.png"))
        #expect(try await catalogue.picture(id: UUID()) == nil)
    }
}
