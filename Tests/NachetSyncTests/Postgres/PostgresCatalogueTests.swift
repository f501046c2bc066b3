import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// What only PostgreSQL brings: Nachet's real schema and rights, clear errors
/// for each way a connection can be wrong, several agents on one database,
/// and a server that goes away.
@Suite("PostgreSQL catalogue")
struct PostgresCatalogueTests {
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `url` with the user and password replaced.
    private func url(_ url: String, user: String, password: String?) -> String {
        var components = URLComponents(string: url)!
        components.user = user
        components.password = password
        return components.string!
    }

    private func copyExamples(to drop: String) throws {
        try? FileManager.default.removeItem(atPath: drop)
        try FileManager.default.copyItem(atPath: Self.repository.appendingPathComponent("examples/drop").path, toPath: drop)
    }

    @Test func theAgentWorksOnAnUnmodifiedNachetSchemaWithLeastRights() async throws {
        let server = try await PostgresServer.shared.value
        let database = try await server.makeDatabase()
        let role = "nachet_agent_" + UUID().lowercased.prefix(8)
        for statement in NachetReferenceSchema.statements(agentRole: role) {
            try await PostgresServer.query(database, statement)
        }
        let agentURL = url(database, user: role, password: NachetReferenceSchema.agentPassword)
        let catalogue = PostgresCatalogue(connectionString: agentURL, schema: NachetReferenceSchema.schema)
        let directory = TemporaryDirectory()
        let engine = SyncEngine(
            catalogue: catalogue,
            blobStore: try LocalBlobStore(root: directory.appending("blobs")),
            state: try SyncState(directory: directory.appending("state")),
            logger: TestDatastore.quietLogger
        )
        _ = try await engine.registerUser(email: "tech@lab.example")
        try copyExamples(to: directory.appending("drop"))

        let report = try await engine.syncDropDirectory(directory.appending("drop"), readiness: StabilityTracker(window: .zero))

        #expect(report.uploaded == 5)
        #expect(report.alreadyStored == 1)
        let inNachet = { (sql: String) in try await PostgresServer.query(database, schema: NachetReferenceSchema.schema, sql) }
        #expect(try await inNachet("SELECT count(*) FROM picture").first?[0] == "5")
        #expect(try await inNachet("SELECT count(*) FROM picture_seed").first?[0] == "5")
        #expect(try await inNachet("SELECT count(*) FROM picture_set").first?[0] == "3")
        // number_of_images equals the pictures of each set.
        let counts = try await inNachet(
            """
            SELECT count(*) FROM picture_set s WHERE (s.picture_set->'image_data_picture_set'->>'number_of_images')::int
                <> (SELECT count(*) FROM picture p WHERE p.picture_set_id = s.id)
            """
        )
        #expect(counts.first?[0] == "0")
        // Every key Nachet's datastore reads is there.
        let missingSetKeys = try await inNachet(
            """
            SELECT count(*) FROM picture_set WHERE NOT (
                picture_set::jsonb->'image_data_picture_set' ? 'number_of_images'
                AND picture_set::jsonb->'audit_trail' ?& array['upload_date', 'edited_by', 'edit_date', 'change_log', 'access_log', 'privacy_flag'])
            """
        )
        #expect(missingSetKeys.first?[0] == "0")
        let missingPictureKeys = try await inNachet(
            "SELECT count(*) FROM picture WHERE NOT picture::jsonb ?& array['link', 'nb_seeds', 'zoom', 'description', 'sha256', 'file_name']"
        )
        #expect(missingPictureKeys.first?[0] == "0")
        #expect(try await inNachet("SELECT count(*) FROM users WHERE default_set_id IS NULL").first?[0] == "0")
        await catalogue.close()
    }

    @Test func aWrongPasswordIsSaidPlainlyAndNeverShown() async throws {
        let server = try await PostgresServer.shared.value
        let secret = "not-the-right-one-\(UUID().uuidString.prefix(6))"
        let catalogue = PostgresCatalogue(connectionString: url(server.adminURL, user: "postgres", password: secret), schema: nil)
        await #expect {
            _ = try await catalogue.seeds()
        } throws: { error in
            let text = "\(error)"
            return (error as? CatalogueError)?.code == .misconfigured && text.contains("password") && !text.contains(secret)
                && text.contains("postgres:***@")
        }
    }

    @Test func aMissingDatabaseSchemaOrTablesSayWhatToRun() async throws {
        let server = try await PostgresServer.shared.value
        let database = try await server.makeDatabase()
        var components = URLComponents(string: server.adminURL)!
        components.path = "/no_such_database"
        let missingDatabase = components.string!
        let cases: [(PostgresCatalogue, String)] = [
            (PostgresCatalogue(connectionString: missingDatabase, schema: nil), "create the database"),
            (PostgresCatalogue(connectionString: database, schema: "no_such_schema"), "schema \"no_such_schema\" does not exist"),
            (PostgresCatalogue(connectionString: database, schema: nil), "nachet-sync db init"),
        ]
        for (catalogue, advice) in cases {
            await #expect {
                _ = try await catalogue.seeds()
            } throws: { error in
                (error as? CatalogueError)?.code == .misconfigured && "\(error)".contains(advice)
            }
        }
    }

    @Test func missingRightsNameTheGrantToAdd() async throws {
        let server = try await PostgresServer.shared.value
        let database = try await server.makeDatabase()
        _ = try await PostgresCatalogue.initialize(connectionString: database, schema: nil)
        let role = "reader_" + UUID().lowercased.prefix(8)
        try await PostgresServer.query(database, "CREATE ROLE \(role) LOGIN PASSWORD 'reader'")
        try await PostgresServer.query(database, "GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role)")
        let catalogue = PostgresCatalogue(connectionString: url(database, user: role, password: "reader"), schema: nil)

        #expect(try await catalogue.seeds().count == 15)
        await #expect {
            _ = try await catalogue.registerUser(email: "tech@lab.example")
        } throws: { error in
            (error as? CatalogueError)?.code == .misconfigured && "\(error)".contains("GRANT") == false
                && "\(error)".contains("grant the agent's role SELECT, INSERT, UPDATE")
        }
        await catalogue.close()
    }

    @Test func anUnreachableServerIsTransient() async throws {
        let catalogue = PostgresCatalogue(connectionString: "postgresql://nobody@127.0.0.1:1/nachet", schema: nil)
        await #expect {
            _ = try await catalogue.seeds()
        } throws: { error in
            (error as? CatalogueError)?.code == .unavailable
        }
    }

    @Test func dbInitIsIdempotent() async throws {
        let server = try await PostgresServer.shared.value
        let database = try await server.makeDatabase()
        #expect(try await PostgresCatalogue.initialize(connectionString: database, schema: "dev schema") == 15)
        #expect(try await PostgresCatalogue.initialize(connectionString: database, schema: "dev schema") == 0)
        let catalogue = PostgresCatalogue(connectionString: database, schema: "dev schema")
        #expect(try await catalogue.seeds().count == 15)
        await catalogue.close()
    }

    @Test func twoAgentsSyncingTheSameFolderMakeEachPictureOnce() async throws {
        let server = try await PostgresServer.shared.value
        let database = try await server.makeDatabase()
        _ = try await PostgresCatalogue.initialize(connectionString: database, schema: nil)
        let directory = TemporaryDirectory()
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        for index in 0..<40 {
            // 30 distinct images, 10 of them twice under another name.
            try drop.writeImage("img-\(index).png", in: "lot-1", seed: UInt64(index % 30))
        }
        // A copy of the folder under another subfolder name, same set.
        let copy = DropFolderBuilder(root: directory.appending("other-pc-drop"))
        try FileManager.default.copyItem(atPath: drop.root + "/lot-1", toPath: copy.root + "/lot-copy")
        try copy.writeMetadata(DropFolderBuilder.metadata(extra: ["folder_name": "lot-1"]), in: "lot-copy")
        let blobs = try LocalBlobStore(root: directory.appending("blobs"))
        func agent(_ name: String) throws -> SyncEngine {
            SyncEngine(
                catalogue: PostgresCatalogue(connectionString: database, schema: nil),
                blobStore: blobs,
                state: try SyncState(directory: directory.appending("state-\(name)")),
                logger: TestDatastore.quietLogger
            )
        }
        _ = try await agent("setup").registerUser(email: TestDatastore.technician)
        let agents = try [agent("a"), agent("b"), agent("c")]

        try await withThrowingTaskGroup(of: SyncReport.self) { group in
            group.addTask { try await agents[0].syncDropDirectory(drop.root, readiness: StabilityTracker(window: .zero)) }
            group.addTask { try await agents[1].syncDropDirectory(drop.root, readiness: StabilityTracker(window: .zero)) }
            group.addTask { try await agents[2].syncDropDirectory(copy.root, readiness: StabilityTracker(window: .zero)) }
            var uploaded = 0
            for try await report in group {
                #expect(report.errors == 0, "\(report.summary)")
                uploaded += report.uploaded
            }
            #expect(uploaded == 30, "each picture was created by exactly one agent")
        }

        #expect(try await PostgresServer.query(database, "SELECT count(*) FROM picture").first?[0] == "30")
        #expect(try await PostgresServer.query(database, "SELECT count(*) FROM picture_seed").first?[0] == "30")
        #expect(try await PostgresServer.query(database, "SELECT count(*) FROM picture_set").first?[0] == "2")
        let numberOfImages = try await PostgresServer.query(
            database,
            "SELECT picture_set->'image_data_picture_set'->>'number_of_images' FROM picture_set WHERE name = 'lot-1'"
        )
        #expect(numberOfImages.first?[0] == "30")
    }

    /// An engine on the database at `url` with a local blob folder in
    /// `directory`, and the technician registered.
    private func engineWithItsOwnServer(_ url: String, in directory: TemporaryDirectory) async throws -> (PostgresCatalogue, SyncEngine) {
        let catalogue = PostgresCatalogue(connectionString: url, schema: nil)
        let engine = SyncEngine(
            catalogue: catalogue,
            blobStore: try LocalBlobStore(root: directory.appending("blobs")),
            state: try SyncState(directory: directory.appending("state")),
            logger: TestDatastore.quietLogger
        )
        _ = try await engine.registerUser(email: TestDatastore.technician)
        return (catalogue, engine)
    }

    @Test func aServerStoppedMidSyncLosesAndDoublesNothing() async throws {
        let server = try await PostgresServer.start()
        let database = try await server.makeDatabase()
        _ = try await PostgresCatalogue.initialize(connectionString: database, schema: nil)
        let datastoreDirectory = TemporaryDirectory()
        let drop = DropFolderBuilder(root: datastoreDirectory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        for index in 0..<150 { try drop.writeImage("img-\(index).png", in: "lot-1", seed: UInt64(index)) }
        let (catalogue, engine) = try await engineWithItsOwnServer(database, in: datastoreDirectory)

        let interrupted = Task { try await engine.syncDropDirectory(drop.root, readiness: StabilityTracker(window: .zero)) }
        // Stop the server once some pictures are in.
        while Int(try await PostgresServer.query(database, "SELECT count(*) FROM picture").first?[0] ?? "0") ?? 0 < 20 {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await server.stop()
        await #expect(throws: SyncRunError.self) { _ = try await interrupted.value }
        try await server.startProcess()

        let report = try await engine.syncDropDirectory(drop.root, readiness: StabilityTracker(window: .zero))

        #expect(report.errors == 0, "\(report.summary)")
        #expect(try await PostgresServer.query(database, "SELECT count(*) FROM picture").first?[0] == "150")
        #expect(try await PostgresServer.query(database, "SELECT count(*) FROM picture_seed").first?[0] == "150")
        let blobNames = try FileManager.default.subpathsOfDirectory(atPath: datastoreDirectory.appending("blobs"))
            .filter { !$0.hasPrefix(".") && $0.split(separator: "/").count == 3 && !$0.hasSuffix(".json") }
        #expect(blobNames.count == 150)
        await catalogue.close()
    }

    @Test func theWatcherRidesOutAnOutageAndCatchesUp() async throws {
        let server = try await PostgresServer.start()
        let database = try await server.makeDatabase()
        _ = try await PostgresCatalogue.initialize(connectionString: database, schema: nil)
        let directory = TemporaryDirectory()
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try drop.writeImage("before.png", in: "lot-1", seed: 1)
        let (catalogue, engine) = try await engineWithItsOwnServer(database, in: directory)
        let watcher = DropFolderWatcher(
            dropDirectory: drop.root,
            engine: engine,
            options: WatchOptions(stabilityWindow: .milliseconds(200), rescanInterval: .seconds(120)),
            logger: TestDatastore.quietLogger
        )
        let watching = Task { try await watcher.run() }
        defer { watching.cancel() }
        func pictures() async -> Int {
            Int((try? await PostgresServer.query(database, "SELECT count(*) FROM picture"))?.first?[0] ?? "") ?? -1
        }
        #expect(try await eventually { await pictures() == 1 })

        try await server.stop()
        for index in 0..<5 { try drop.writeImage("during-\(index).png", in: "lot-1", seed: UInt64(100 + index)) }
        try await Task.sleep(for: .seconds(2))
        try await server.startProcess()

        #expect(try await eventually { await pictures() == 6 }, "the files written during the outage arrive once the server is back")
        try await Task.sleep(for: .milliseconds(500))
        #expect(await pictures() == 6)
        watching.cancel()
        _ = await watching.result
        await catalogue.close()
    }
}
