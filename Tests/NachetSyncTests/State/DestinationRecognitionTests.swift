import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// The state file's records belong to a datastore known by what it is, not
/// by the address that reaches it: the same database through another
/// address keeps its records (nothing read again), and another database of
/// the same name starts from its own.
@Suite("state file: a datastore known by what it is", .serialized)
struct DestinationRecognitionTests {
    private static let sets = 3

    private func fill(_ datastore: TestDatastore) throws {
        for set in 0..<Self.sets {
            try datastore.drop.makeSet("lot-\(set)", metadata: DropFolderBuilder.metadata())
            try datastore.drop.writeImage("a.png", in: "lot-\(set)", seed: UInt64(set + 1))
            try datastore.drop.writeImage("b.png", in: "lot-\(set)", seed: UInt64(set + 100))
        }
    }

    /// A sync as a newly started agent makes it: the state file opened at
    /// the address the configuration names, then an engine over `catalogue`
    /// and `blobStore`.
    private func sync(
        _ datastore: TestDatastore, catalogue: CatalogueLocation, connect: any Catalogue, blobs: BlobStoreLocation? = nil,
        blobStore: (any BlobStore)? = nil
    ) async throws -> SyncReport {
        let address = DestinationIdentity(catalogue: catalogue, schema: nil, blobStore: blobs ?? datastore.testBlobStore.location)
        let state = try SyncState(directory: datastore.directory.appending("state"), destination: address)
        defer { state.close() }
        let engine = SyncEngine(
            catalogue: connect, blobStore: blobStore ?? datastore.blobStore, state: state, logger: TestDatastore.quietLogger)
        defer { Task { await connect.close() } }
        return try await datastore.sync(engine)
    }

    @Test func theSameDatabaseReachedAtAnotherAddressKeepsItsRecords() async throws {
        let datastore = try await TestDatastore.make(catalogue: .postgres)
        try fill(datastore)
        let direct = try #require(datastore.testCatalogue.url)
        #expect(try await datastore.sync().uploaded == Self.sets * 2)
        let (proxy, far) = try await DelayingProxy.start(inFrontOf: direct, roundTrip: .zero)
        defer { Task { await proxy.stop() } }

        let there = try await sync(datastore, catalogue: .postgres(connection: far), connect: PostgresCatalogue(connectionString: far, schema: nil))

        #expect(there.filesRead == 0 && there.unchanged == Self.sets * 2, "no file read again: \(there.summary)")
        #expect(try await datastore.rowCount("picture") == Self.sets * 2)
        let back = try await sync(datastore, catalogue: .postgres(connection: direct), connect: PostgresCatalogue(connectionString: direct, schema: nil))
        #expect(back.filesRead == 0, "and back at the first address: \(back.summary)")
    }

    @Test func aDatabaseMadeAgainUnderTheSameNameIsAnotherOne() async throws {
        let datastore = try await TestDatastore.make(catalogue: .postgres)
        try fill(datastore)
        let url = try #require(datastore.testCatalogue.url)
        #expect(try await datastore.sync().uploaded == Self.sets * 2)
        await datastore.catalogue.close()
        // Dropped and made again: the same name, host and port, a new database.
        let name = try #require(URLComponents(string: url)?.path.dropFirst())
        let admin = try await PostgresServer.shared.value.adminURL
        try await PostgresServer.query(admin, "DROP DATABASE \(name) WITH (FORCE)")
        try await PostgresServer.query(admin, "CREATE DATABASE \(name)")
        _ = try await PostgresCatalogue.initialize(connectionString: url, schema: nil)
        _ = try await PostgresCatalogue(connectionString: url, schema: nil).registerUser(email: TestDatastore.technician)

        let report = try await sync(datastore, catalogue: .postgres(connection: url), connect: PostgresCatalogue(connectionString: url, schema: nil))

        #expect(report.uploaded == Self.sets * 2 && report.errors == 0, "every picture stored in the new database: \(report.summary)")
        #expect(try await datastore.rowCount("picture") == Self.sets * 2)
        let state = try SyncState(directory: datastore.directory.appending("state"), destination: datastore.state.destination, takingRecords: false)
        #expect(try state.parkedDestinations().count == 1, "the old database's records are kept aside, not taken for the new one's")
    }

    @Test func aDatabaseThatSaysNothingOfItselfIsKnownByTheSetsItHolds() async throws {
        let datastore = try await TestDatastore.make(catalogue: .postgres)
        try fill(datastore)
        let direct = try #require(datastore.testCatalogue.url)
        let hidden = { (url: String) in CountingCatalogue(PostgresCatalogue(connectionString: url, schema: nil), hidingIdentity: true) }
        #expect(try await sync(datastore, catalogue: .postgres(connection: direct), connect: hidden(direct)).uploaded == Self.sets * 2)
        let (proxy, far) = try await DelayingProxy.start(inFrontOf: direct, roundTrip: .zero)
        defer { Task { await proxy.stop() } }

        let there = try await sync(datastore, catalogue: .postgres(connection: far), connect: hidden(far))
        #expect(there.filesRead == 0, "its sets are there: the records are taken up: \(there.summary)")

        // Another database, never written into, at yet another address.
        let other = try await PostgresServer.shared.value.makeDatabase()
        _ = try await PostgresCatalogue.initialize(connectionString: other, schema: nil)
        _ = try await PostgresCatalogue(connectionString: other, schema: nil).registerUser(email: TestDatastore.technician)
        let elsewhere = try await sync(datastore, catalogue: .postgres(connection: other), connect: hidden(other))
        #expect(elsewhere.uploaded == Self.sets * 2, "none of its sets are there: it starts from its own records: \(elsewhere.summary)")
    }

    @Test func aLocalBlobStoreReachedThroughALinkIsTheSameStore() async throws {
        let datastore = try await TestDatastore.make()
        try fill(datastore)
        #expect(try await datastore.sync().uploaded == Self.sets * 2)
        guard case .directory(let root) = datastore.testBlobStore.location else { throw TestSetupError("not a local store") }
        let link = datastore.directory.appending("blobs-link")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: root)

        let report = try await sync(
            datastore, catalogue: datastore.testCatalogue.location, connect: try datastore.testCatalogue.connect(), blobs: .directory(path: link),
            blobStore: try LocalBlobStore(root: link))

        #expect(report.filesRead == 0, "\(report.summary)")
    }

    @Test func recordsAnEarlierVersionKeptPerAddressAreTakenUpWithoutReadingAFile() async throws {
        let datastore = try await TestDatastore.make(catalogue: .postgres)
        try fill(datastore)
        let url = try #require(datastore.testCatalogue.url)
        #expect(try await datastore.sync().uploaded == Self.sets * 2)
        // As an earlier version left it: records named by address, nothing learned.
        let address = DestinationIdentity(catalogue: .postgres(connection: url), schema: nil, blobStore: datastore.testBlobStore.location)
        let database = try SQLiteDatabase(path: datastore.directory.appending("state/state.sqlite"))
        try database.executeScript("DROP TABLE destination_aliases")
        try database.query(
            "UPDATE destination SET value = CASE key WHEN 'catalogue' THEN ? ELSE ? END", .text(address.catalogue), .text(address.blobStore))
        database.close()

        let report = try await sync(datastore, catalogue: .postgres(connection: url), connect: PostgresCatalogue(connectionString: url, schema: nil))

        #expect(report.filesRead == 0 && report.unchanged == Self.sets * 2, "\(report.summary)")
        let state = try SyncState(directory: datastore.directory.appending("state"), destination: address, takingRecords: false)
        #expect(state.liveDestination.map { DestinationIdentity.isIntrinsic($0.catalogue) } == true, "now kept under what it is")
    }

    @Test func azureIsKnownByItsAccountWhateverItsEndpointAndAnEmulatorByItsAddress() throws {
        func identity(_ connection: String) throws -> String? { AzureBlobStore.identity(of: try AzureAccount(parsing: connection)) }
        let key = "AccountKey=a2V5"
        let service = try identity("DefaultEndpointsProtocol=https;AccountName=nachetlab;\(key);EndpointSuffix=core.windows.net")
        #expect(service == "azure-account:nachetlab@core.windows.net")
        #expect(try identity("AccountName=nachetlab;\(key);BlobEndpoint=https://nachetlab.privatelink.blob.core.windows.net/") == service)
        #expect(try identity("AccountName=nachetlab;\(key);BlobEndpoint=https://nachetlab.blob.core.chinacloudapi.cn") != service)
        #expect(try identity("UseDevelopmentStorage=true") == nil, "every emulator has the same account")
        #expect(try identity("AccountName=nachetlab;\(key);BlobEndpoint=https://pictures.lab.example") == nil)
    }
}
