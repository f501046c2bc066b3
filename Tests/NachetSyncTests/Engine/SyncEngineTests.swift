import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The destination contract suite's exactness half: every destination (each
/// pair of backends, and the API through a real `serve`) stores exactly the
/// pictures of the drop folder, each once.
@Suite("Sync engine, on every destination")
struct SyncEngineTests {
    /// Copies the repository's `examples/drop` into the datastore's drop folder.
    private func copyExamples(to datastore: TestDatastore) throws {
        let examples = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples/drop").path
        try FileManager.default.removeItem(atPath: datastore.drop.root)
        try FileManager.default.copyItem(atPath: examples, toPath: datastore.drop.root)
    }

    @Test(arguments: DestinationKind.all)
    func syncOfTheExamplesStoresExactlyTheirPictures(destination: DestinationKind) async throws {
        let datastore = try await TestDatastore.make(destination)
        try copyExamples(to: datastore)

        let report = try await datastore.sync()

        // canola: 3 distinct images; thistle: 3 files, 2 distinct; bromus-typo: bad
        // seed name; incoming-no-metadata: pending.
        #expect(report.uploaded == 5)
        #expect(report.alreadyStored == 1)
        #expect(report.sets == 2)
        #expect(report.errors == 1)
        #expect(report.pendingFolders.map { ($0.path as NSString).lastPathComponent } == ["incoming-no-metadata"])
        #expect(try await datastore.rowCount("picture_set") == 3)  // General + 2
        #expect(try await datastore.rowCount("picture") == 5)
        #expect(try await datastore.rowCount("picture_seed") == 5)
        #expect(datastore.pictureBlobNames().count == 5)
        #expect(datastore.blobNames().filter { $0.hasSuffix(".json") }.count == 3)  // one marker per set
        #expect(try await datastore.numberOfImages() == ["General": 0, "canola-2026-11-03": 3, "thistle-batch-7": 2])

        for picture in try await datastore.pictureRows() {
            let sha = try #require(picture.json["sha256"] as? String)
            let link = try #require(picture.json["link"] as? String)
            let blob = try #require(datastore.pictureBlobNames().first { $0.hasSuffix("/" + picture.id) })
            #expect(try datastore.blobSHA256(blob) == sha, "the blob holds the bytes its row names")
            #expect(
                link
                    == datastore.blobStore.url(
                        of: BlobReference(container: String(blob.prefix { $0 != "/" }), name: String(blob.drop { $0 != "/" }.dropFirst()))))
            #expect(Set(picture.json.keys).isSuperset(of: ["link", "nb_seeds", "zoom", "description", "sha256", "file_name"]))
        }
    }

    @Test(arguments: DestinationKind.all)
    func perImageOverridesReachThePictureRows(destination: DestinationKind) async throws {
        let datastore = try await TestDatastore.make(destination)
        try copyExamples(to: datastore)
        _ = try await datastore.sync()

        let rows = try await datastore.pictureRows()
        let overridden = try #require(rows.first { $0.json["file_name"] as? String == "IMG_0003.tif" })
        #expect(overridden.json["nb_seeds"] as? Int == 3)
        #expect(overridden.json["zoom"] as? Double == 1.5)
        #expect(overridden.json["description"] as? String == "one contaminant lot")
        let plain = try #require(rows.first { $0.json["file_name"] as? String == "IMG_0001.png" })
        #expect(plain.json["nb_seeds"] as? Int == 10)
        let seeds = try await datastore.catalogue.seeds()
        let juncea = try #require(seeds.first { $0.name == "Brassica juncea" })
        #expect(try await datastore.seedID(ofPicture: overridden.id) == juncea.id.lowercased)
    }

    @Test(arguments: DestinationKind.all)
    func aSecondRunReadsNoFileAndStoresNothing(destination: DestinationKind) async throws {
        let datastore = try await TestDatastore.make(destination)
        try copyExamples(to: datastore)
        let first = try await datastore.sync()
        #expect(first.filesRead > 0)

        let second = try await datastore.sync()

        #expect(second.filesRead == 0, "unchanged files are not opened again")
        #expect(second.bytesRead == 0)
        #expect(second.uploaded == 0)
        #expect(second.unchanged == 6)
        #expect(try await datastore.rowCount("picture") == 5)
        #expect(datastore.pictureBlobNames().count == 5)
    }

    @Test(arguments: DestinationKind.all)
    func theSameBytesUnderAnotherNameOrCopiedAgainAreOnePicture(destination: DestinationKind) async throws {
        let datastore = try await TestDatastore.make(destination)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        _ = try await datastore.sync()

        try datastore.drop.writeImage("a-renamed.PNG", in: "lot-1", seed: 1)
        try datastore.drop.writeImage("copy of a.png", in: "lot-1", seed: 1)
        let report = try await datastore.sync()

        #expect(report.uploaded == 0)
        #expect(report.alreadyStored == 2)
        #expect(try await datastore.rowCount("picture") == 1)
        #expect(datastore.pictureBlobNames().count == 1)
        #expect(try await datastore.numberOfImages()["lot-1"] == 1)
    }

    @Test(arguments: DestinationKind.all)
    func aFileWhoseBytesChangeBecomesANewPicture(destination: DestinationKind) async throws {
        let datastore = try await TestDatastore.make(destination)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        _ = try await datastore.sync()

        try datastore.drop.writeImage("a.png", in: "lot-1", seed: 2)
        let report = try await datastore.sync()

        #expect(report.uploaded == 1)
        #expect(try await datastore.rowCount("picture") == 2)
        #expect(datastore.pictureBlobNames().count == 2)
        #expect(try await datastore.numberOfImages()["lot-1"] == 2)
    }

    @Test(arguments: DestinationKind.all)
    func theSameBytesInTwoSetsAreStoredOncePerSet(destination: DestinationKind) async throws {
        let datastore = try await TestDatastore.make(destination)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.makeSet("lot-2", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        try datastore.drop.writeImage("a.png", in: "lot-2", seed: 1)

        let report = try await datastore.sync()

        #expect(report.uploaded == 2)
        #expect(try await datastore.numberOfImages()["lot-1"] == 1)
        #expect(try await datastore.numberOfImages()["lot-2"] == 1)
    }

    @Test(arguments: DestinationKind.all)
    func aLostStateFileCostsARehashButNoDuplicate(destination: DestinationKind) async throws {
        let datastore = try await TestDatastore.make(destination)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        for index in 0..<4 { try datastore.drop.writeImage("img-\(index).png", in: "lot-1", seed: UInt64(index)) }
        _ = try await datastore.sync()

        let freshState = try SyncState(directory: datastore.directory.appending("other-state"))
        let report = try await datastore.sync(datastore.engine(state: freshState))

        #expect(report.uploaded == 0)
        #expect(report.alreadyStored == 4)
        #expect(try await datastore.rowCount("picture_set") == 2)
        #expect(try await datastore.rowCount("picture") == 4)
        #expect(datastore.pictureBlobNames().count == 4)
    }

    @Test(arguments: DestinationKind.all)
    func extensionsAreMatchedWithoutCaseAndOthersIgnored(destination: DestinationKind) async throws {
        let datastore = try await TestDatastore.make(destination)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("A.JPG", in: "lot-1", seed: 1)
        try datastore.drop.writeImage("b.Tiff", in: "lot-1", seed: 2)
        try datastore.drop.writeImage("c.tif", in: "lot-1", seed: 3)
        try datastore.drop.writeImage("notes.txt", in: "lot-1", seed: 4)
        try datastore.drop.writeImage(".hidden.png", in: "lot-1", seed: 5)
        try datastore.drop.writeImage("~$lock.png", in: "lot-1", seed: 6)

        let report = try await datastore.sync()

        #expect(report.uploaded == 3)
    }

    @Test func anEmptyFileIsReportedAndNeverUploaded() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let path = datastore.drop.root + "/lot-1/not-copied-yet.png"
        _ = FileManager.default.createFile(atPath: path, contents: Data())

        let first = try await datastore.sync()

        #expect(first.uploaded == 0)
        #expect(first.folders.first?.failures.first?.reason.contains("the file is empty") == true)
        #expect(try await datastore.rowCount("picture") == 0)

        try DropFolderBuilder.imageBytes(seed: 5, size: 1000).write(to: URL(fileURLWithPath: path))
        let second = try await datastore.sync()
        #expect(second.uploaded == 1, "taken once it has bytes")
    }
}
