import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The behaviour every ``Catalogue`` must have: each test runs once per
/// backend (the embedded SQLite file, and a real PostgreSQL server).
@Suite("Catalogue contract")
struct CatalogueContractTests {
    private func picture(in set: UUID, seed: Seed, sha: ContentHash, name: String = "a.png") -> NewPicture {
        NewPicture(
            id: UUID(),
            setID: set,
            seedID: seed.id,
            document: PictureDocument(link: "file:///x", seedCount: 3, zoom: 1.5, description: "", sha256: sha, fileName: name)
        )
    }

    /// A registered user's picture set `lot-1`, and a seed to record pictures with.
    private func makeSet(in catalogue: any Catalogue) async throws -> (PictureSetRecord, Seed) {
        let (user, _) = try await catalogue.registerUser(email: "tech@lab.example")
        let (set, _) = try await catalogue.findOrCreatePictureSet(
            NewPictureSet(ownerID: user.id, name: "lot-1", document: PictureSetDocument(createdBy: user.id))
        )
        return (set, try #require(try await catalogue.seeds().first))
    }

    private static let hashA = ContentHash(hex: String(repeating: "a", count: 64))!
    private static let hashB = ContentHash(hex: String(repeating: "b", count: 64))!

    @Test(arguments: CatalogueKind.allCases)
    func aNewCatalogueKnowsNachetsFifteenSeeds(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory).catalogue
        let names = try await catalogue.seeds().map(\.name)
        #expect(Set(names) == Set(DefaultSeeds.names))
        #expect(names.count == 15)
    }

    @Test(arguments: CatalogueKind.allCases)
    func registeringAUserTwiceMakesOneUserWithItsGeneralSet(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory).catalogue

        let (first, created) = try await catalogue.registerUser(email: "tech@lab.example")
        let (second, createdAgain) = try await catalogue.registerUser(email: "Tech@Lab.example")

        #expect(created && !createdAgain)
        #expect(first == second)
        let generalID = try #require(first.defaultSetID)
        let general = try #require(try await catalogue.pictureSet(id: generalID))
        #expect(general.name == "General")
        #expect(general.ownerID == first.id)
        #expect(try await catalogue.user(email: "TECH@lab.example") == first)
        #expect(try await catalogue.user(id: first.id) == first)
        #expect(try await catalogue.user(email: "nobody@lab.example") == nil)
    }

    /// One identity rule (``EmailKey``): case and Unicode form aside, one
    /// address is one user, in SQLite (whose `lower()` folds ASCII only) as
    /// in PostgreSQL.
    @Test(arguments: CatalogueKind.allCases)
    func anAddressIsOneUserWhateverItsCaseOrUnicodeForm(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory).catalogue
        let (eve, _) = try await catalogue.registerUser(email: "\u{C9}ve@lab.example")

        for spelling in ["\u{E9}ve@lab.example", "\u{C9}VE@LAB.EXAMPLE", "e\u{301}ve@lab.example", "E\u{301}ve@Lab.Example"] {
            #expect(try await catalogue.user(email: spelling) == eve, "\(spelling)")
        }
        let (again, created) = try await catalogue.registerUser(email: "\u{E9}VE@lab.example")
        #expect(!created && again == eve, "a second spelling is the user registered")
        #expect(try await catalogue.user(email: "eve@lab.example") == nil, "an accent is not a case")
        let (strasse, _) = try await catalogue.registerUser(email: "stra\u{DF}e@lab.example")
        #expect(try await catalogue.user(email: "STRASSE@lab.example") == strasse, "full case folding: ß is ss")
    }

    /// A catalogue holding two spellings of one address (Nachet's datastore
    /// compares e-mails exactly): neither is picked, whichever is asked for.
    @Test(arguments: CatalogueKind.allCases)
    func twoSpellingsOfOneAddressInTheCatalogueAreRefusedNotPicked(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let test = try await TestDatastore.makeCatalogue(backend, in: directory)
        let catalogue = test.catalogue
        let pairs = [("\u{C9}ve@lab.example", "\u{E9}ve@lab.example"), ("tech@lab.example", "TECH@lab.example"), ("sam@lab.example", "\u{17F}am@lab.example")]
        for (registered, inserted) in pairs {
            let (first, _) = try await catalogue.registerUser(email: registered)
            let second = UUID().uuidString.lowercased()
            _ = try await test.inspect("INSERT INTO users (id, email) VALUES ('\(second)', '\(inserted)')")

            for asked in [registered, inserted] {
                do {
                    let found = try await catalogue.user(email: asked)
                    Issue.record("\(asked): \(String(describing: found)) was picked")
                } catch {
                    #expect(error.code == .ambiguousUser)
                    #expect(error.message.contains("\"\(registered)\" (user \(first.id.lowercased))"), "\(error.message)")
                    #expect(error.message.contains("\"\(inserted)\" (user \(second))"), "\(error.message)")
                }
            }
            await #expect(throws: CatalogueError.self) { try await catalogue.registerUser(email: registered) }
        }
    }

    @Test(arguments: CatalogueKind.allCases)
    func aPictureSetIsFoundAgainByOwnerAndName(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory).catalogue
        let (user, _) = try await catalogue.registerUser(email: "tech@lab.example")
        let request = NewPictureSet(ownerID: user.id, name: "lot-1", document: PictureSetDocument(createdBy: user.id))

        let (first, created) = try await catalogue.findOrCreatePictureSet(request)
        let (second, createdAgain) = try await catalogue.findOrCreatePictureSet(request)

        #expect(created && !createdAgain)
        #expect(first.id == second.id)
        #expect(first.folderName == "lot-1")
    }

    @Test(arguments: CatalogueKind.allCases)
    func aPictureIsInsertedOncePerSetAndHash(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory).catalogue
        let (set, seed) = try await makeSet(in: catalogue)

        let first = try await catalogue.insertPictureIfAbsent(picture(in: set.id, seed: seed, sha: Self.hashA))
        let again = try await catalogue.insertPictureIfAbsent(picture(in: set.id, seed: seed, sha: Self.hashA, name: "copy.png"))
        let other = try await catalogue.insertPictureIfAbsent(picture(in: set.id, seed: seed, sha: Self.hashB))

        #expect(first.wasInserted && !again.wasInserted && other.wasInserted)
        #expect(again.record.id == first.record.id)
        #expect(again.record.fileName == "a.png")
        #expect(try await catalogue.pictures(inSet: set.id).count == 2)
        #expect(try await catalogue.pictureSet(id: set.id)?.numberOfImages == 2)
    }

    @Test(arguments: CatalogueKind.allCases)
    func theIdsOfASetsPicturesAreThoseOfItsRowsAndNoOthers(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory).catalogue
        let (set, seed) = try await makeSet(in: catalogue)
        let (other, _) = try await catalogue.findOrCreatePictureSet(
            NewPictureSet(ownerID: set.ownerID, name: "lot-2", document: PictureSetDocument(createdBy: set.ownerID)))
        let hashes = (0..<5).map { ContentHash(hex: String(format: "%064x", $0))! }
        var inserted: Set<UUID> = []
        for hash in hashes { inserted.insert(try await catalogue.insertPictureIfAbsent(picture(in: set.id, seed: seed, sha: hash)).record.id) }
        _ = try await catalogue.insertPictureIfAbsent(picture(in: other.id, seed: seed, sha: Self.hashA))

        let ids = try await catalogue.pictureIDs(inSet: set.id)

        #expect(ids.count == 5)
        #expect(Set(ids) == inserted)
        #expect(Set(ids) == Set(try await catalogue.pictures(inSet: set.id).map(\.id)))
        #expect(try await catalogue.pictureIDs(inSet: UUID()).isEmpty)
    }

    @Test(arguments: CatalogueKind.allCases)
    func twoConnectionsRacingOnTheSameBytesMakeOnePicture(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let made = try await TestDatastore.makeCatalogue(backend, in: directory)
        let (catalogue, twin) = (made.catalogue, try made.connect())
        let (set, seed) = try await makeSet(in: catalogue)
        let hashes = (0..<20).map { ContentHash(hex: String(format: "%064x", $0))! }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for connection in [catalogue, twin] {
                group.addTask {
                    for hash in hashes { _ = try await connection.insertPictureIfAbsent(picture(in: set.id, seed: seed, sha: hash)) }
                }
            }
            try await group.waitForAll()
        }

        #expect(try await catalogue.pictures(inSet: set.id).count == 20)
        #expect(try await twin.pictureSet(id: set.id)?.numberOfImages == 20)
    }

    @Test(arguments: CatalogueKind.allCases)
    func aPictureForAMissingSetIsRefused(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory).catalogue
        let seed = try #require(try await catalogue.seeds().first)
        await #expect(throws: CatalogueError.self) {
            _ = try await catalogue.insertPictureIfAbsent(picture(in: UUID(), seed: seed, sha: Self.hashA))
        }
    }

    @Test(arguments: CatalogueKind.allCases)
    func aBatchInsertsEachNewHashOnceAndAnswersCopiesWithTheirPicture(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let made = try await TestDatastore.makeCatalogue(backend, in: directory)
        let catalogue = made.catalogue
        let (set, seed) = try await makeSet(in: catalogue)
        let stored = try await catalogue.insertPictureIfAbsent(picture(in: set.id, seed: seed, sha: Self.hashA, name: "stored.png"))
        let hashC = ContentHash(hex: String(repeating: "c", count: 64))!
        let batch = [
            picture(in: set.id, seed: seed, sha: Self.hashB, name: "b.png"),
            picture(in: set.id, seed: seed, sha: Self.hashA, name: "copy-of-stored.png"),
            picture(in: set.id, seed: seed, sha: Self.hashB, name: "copy-of-b.png"),
            picture(in: set.id, seed: seed, sha: hashC, name: "c.png"),
        ]

        let insertions = try await catalogue.insertPicturesIfAbsent(batch)

        #expect(insertions.map(\.wasInserted) == [true, false, false, true])
        #expect(insertions[0].record.id == batch[0].id)
        #expect(insertions[1].record.id == stored.record.id && insertions[1].record.fileName == "stored.png")
        #expect(insertions[2].record.id == batch[0].id && insertions[2].record.fileName == "b.png", "a copy within the batch gets the first")
        #expect(insertions[3].record.id == batch[3].id)
        #expect(try await catalogue.pictures(inSet: set.id).count == 3)
        #expect(try await catalogue.pictureSet(id: set.id)?.numberOfImages == 3)
        #expect(try await made.inspect("SELECT count(*) FROM picture_seed").first?[0] == "3")
        #expect(try await catalogue.insertPicturesIfAbsent([]).isEmpty)
        #expect(try await catalogue.picture(withSHA256: hashC, inSet: set.id)?.id == batch[3].id)
    }

    @Test(arguments: CatalogueKind.allCases)
    func twoConnectionsRacingBatchesOfOverlappingBytesMakeEachPictureOnce(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let made = try await TestDatastore.makeCatalogue(backend, in: directory)
        let (catalogue, twin) = (made.catalogue, try made.connect())
        let (set, seed) = try await makeSet(in: catalogue)
        let hashes = (0..<60).map { ContentHash(hex: String(format: "%064x", $0))! }

        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, connection) in [catalogue, twin].enumerated() {
                group.addTask {
                    // The same 60 hashes in batches of 7, one connection backwards.
                    let ordered = index == 0 ? hashes : hashes.reversed()
                    for start in stride(from: 0, to: ordered.count, by: 7) {
                        let batch = ordered[start..<min(start + 7, ordered.count)].map { picture(in: set.id, seed: seed, sha: $0) }
                        _ = try await connection.insertPicturesIfAbsent(batch)
                    }
                }
            }
            try await group.waitForAll()
        }

        #expect(try await catalogue.pictures(inSet: set.id).count == 60)
        #expect(try await twin.pictureSet(id: set.id)?.numberOfImages == 60)
        #expect(try await made.inspect("SELECT count(*) FROM picture_seed").first?[0] == "60")
    }
}
