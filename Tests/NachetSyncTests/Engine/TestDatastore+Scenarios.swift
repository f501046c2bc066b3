import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The scenes the datastore-is-the-truth tests share: a synced set folder
/// `lot-1`, and a good folder beside it that the pass under test must still
/// store.
extension TestDatastore {
    /// A set folder `lot-1` with `count` distinct images (`img-0.png`, …), synced.
    func syncLot(count: Int = 2) async throws {
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        for index in 0..<count { try drop.writeImage("img-\(index).png", in: "lot-1", seed: UInt64(index)) }
        let first = try await sync(verifying: true)
        #expect(first.errors == 0 && first.uploaded == count, "\(first.summary)")
    }

    /// The good folder: a new set `good` with one new image.
    func addGoodFolder() throws {
        try drop.makeSet("good", metadata: DropFolderBuilder.metadata(seed: "Cirsium arvense"))
        try drop.writeImage("new.png", in: "good", seed: 99)
    }

    /// The good folder's image went in as a new picture with its blob.
    func expectGoodFolderStored(_ report: SyncReport) async throws {
        let good = try report.folder(named: "good")
        #expect(good.uploaded == 1 && good.errorCount == 0, "\(report.summary)")
        #expect(try await numberOfImages()["good"] == 1)
        #expect(pictureBlobNames().contains { $0.contains("/good/") })
    }

    /// Every picture row has its blob, holding the bytes the row names, and
    /// every picture blob has its row.
    func expectOneBlobPerRow() async throws {
        let rows = try await pictureRows()
        let blobs = pictureBlobNames()
        #expect(Set(blobs.map { ($0 as NSString).lastPathComponent }) == Set(rows.map(\.id)))
        for row in rows {
            let blob = try #require(blobs.first { $0.hasSuffix("/" + row.id) })
            #expect(try blobSHA256(blob) == row.json["sha256"] as? String)
        }
    }
}

extension SyncReport {
    /// The report of the set folder called `name`.
    func folder(named name: String) throws -> FolderReport {
        try #require(folders.first { ($0.path as NSString).lastPathComponent == name })
    }
}
