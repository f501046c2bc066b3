import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// The state file's records belong to the destination they were stored in.
@Suite("state file: records per destination")
struct SyncStateDestinationTests {
    private let first = DestinationIdentity(catalogue: "sqlite:/lab/catalogue.sqlite", blobStore: "local:/lab/blobs")
    private let second = DestinationIdentity(catalogue: "sqlite:/lab/catalogue.sqlite", blobStore: "azure:nachetlab@https://nachetlab.blob.core.windows.net")

    private func record(_ path: String, in state: SyncState) throws {
        try state.save(FolderRecord(path: "/drop/lot-1", status: .active, setID: UUID(), folderName: "lot-1"))
        try state.save(
            FileRecord(
                path: path, folder: "/drop/lot-1", signature: FileSignature(size: 1, modificationTimeNanoseconds: 2, inode: 3),
                sha256: nil, pictureID: UUID(), outcome: .uploaded))
    }

    @Test func anotherDestinationStartsFromItsOwnRecordsAndSwitchingBackFindsTheOldOnes() throws {
        let directory = TemporaryDirectory().appending("state")
        let opened = try SyncState(directory: directory, destination: first)
        #expect(opened.previousDestination == nil)
        try record("/drop/lot-1/a.png", in: opened)

        let other = try SyncState(directory: directory, destination: second)
        #expect(other.previousDestination == first)
        #expect(try other.folders().isEmpty)
        #expect(try other.files(inFolder: "/drop/lot-1").isEmpty)
        #expect(try other.parkedDestinations() == [first])
        try record("/drop/lot-1/b.png", in: other)

        let back = try SyncState(directory: directory, destination: first)
        #expect(back.previousDestination == second)
        #expect(try back.files(inFolder: "/drop/lot-1").keys.sorted() == ["/drop/lot-1/a.png"])
        #expect(try back.folders().map(\.folderName) == ["lot-1"])
        #expect(try back.parkedDestinations() == [second])

        let same = try SyncState(directory: directory, destination: first)
        #expect(same.previousDestination == nil, "the same destination moves nothing")
        #expect(try same.files(inFolder: "/drop/lot-1").count == 1)
    }

    @Test func lookingWithoutTakingTheRecordsMovesNothing() throws {
        let directory = TemporaryDirectory().appending("state")
        try record("/drop/lot-1/a.png", in: try SyncState(directory: directory, destination: first))

        let look = try SyncState(directory: directory, destination: second, takingRecords: false)

        #expect(look.liveDestination == first && look.previousDestination == nil)
        #expect(try look.parkedDestinations().isEmpty)
        let running = try SyncState(directory: directory, destination: first)
        #expect(running.previousDestination == nil)
        #expect(try running.files(inFolder: "/drop/lot-1").count == 1)
    }

    @Test func recordsOfAStateFileThatNamesNoDestinationAreTheFirstOneOpened() throws {
        let directory = TemporaryDirectory().appending("state")
        try record("/drop/lot-1/a.png", in: try SyncState(directory: directory))

        let opened = try SyncState(directory: directory, destination: first)

        #expect(opened.previousDestination == nil)
        #expect(try opened.files(inFolder: "/drop/lot-1").count == 1, "an earlier version's records are the destination's it ran with")
    }

    @Test func aPostgresCatalogueIsNamedByServerAndDatabaseNeverByItsPassword() {
        let identity = DestinationIdentity(
            catalogue: .postgres(connection: "postgresql://sync:s3cret@DB.lab.example:5433/nachet"), schema: "nachet_0.1.0",
            blobStore: .azure(connection: "DefaultEndpointsProtocol=https;AccountName=nachetlab;AccountKey=a2V5;EndpointSuffix=core.windows.net"))

        #expect(identity.catalogue == "postgresql://db.lab.example:5433/nachet?schema=nachet_0.1.0")
        #expect(identity.blobStore == "azure:nachetlab@https://nachetlab.blob.core.windows.net")
        #expect(!identity.description.contains("s3cret") && !identity.description.contains("a2V5"))
    }
}
