import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// `nachet-sync doctor` on the built executable: one line per check, ✓ or
/// ✗ with the fix, exit code 1 when one fails.
@Suite("nachet-sync doctor")
struct DoctorTests {
    /// The lines `doctor` printed.
    private func lines(_ result: CommandLineTests.Result) -> [String] {
        result.output.split(separator: "\n").map(String.init)
    }

    /// `url` with the user and password replaced.
    private func url(_ url: String, user: String, password: String) throws -> String {
        var components = try #require(URLComponents(string: url))
        components.user = user
        components.password = password
        return try #require(components.string)
    }

    @Test func theEmbeddedDefaultPassesEveryCheck() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())

        let doctor = try await CommandLineTests().run(["doctor", "--state-dir", state, drop.root], timeout: .seconds(60))

        #expect(doctor.status == 0, "\(doctor.output)\(doctor.errors)")
        let printed = lines(doctor)
        for line in [
            "✓ setting config file: none (default: flags and the environment only; --config or NACHET_SYNC_CONFIG names one)",
            "✓ setting state directory: \(state) (from --state-dir)",
            "✓ setting catalogue: SQLite catalogue \(state)/catalogue.sqlite (default: embedded, in the state directory)",
            "✓ setting blob store: blob folder \(state)/blobs (default: embedded, in the state directory)",
            "✓ setting drop folders: \(drop.root) (from the arguments)",
            "✓ setting give up after: 60 seconds (default)",
            "✓ drop folder \(drop.root): readable",
            "✓ state directory \(state): does not exist yet; the agent creates it (0700) in \(directory.path)",
            "✓ catalogue: SQLite catalogue \(state)/catalogue.sqlite does not exist yet; the agent creates it with Nachet's tables and 15 seeds",
            "✓ blob store: blob folder \(state)/blobs does not exist yet; the agent creates it (0700)",
        ] {
            #expect(printed.contains(line), "missing \(line) in:\n\(doctor.output)")
        }
        #expect(printed.contains { $0.hasPrefix("✓ inotify: 2 folders to watch; ") }, "\(doctor.output)")
        #expect(printed.last?.hasPrefix("all ") == true && printed.last?.hasSuffix(" checks passed") == true, "\(doctor.output)")
        #expect(!FileManager.default.fileExists(atPath: state), "doctor creates nothing")

        // Once the agent has run, the files are there and checked as they are.
        #expect(try await CommandLineTests().run(["user", "add", "--state-dir", state, "tech@lab.example"]).status == 0)
        let again = try await CommandLineTests().run(["doctor", "--state-dir", state, drop.root], timeout: .seconds(60))
        #expect(again.status == 0, "\(again.output)")
        #expect(lines(again).contains("✓ state directory \(state): writable"), "\(again.output)")
        #expect(lines(again).contains("✓ catalogue: SQLite catalogue \(state)/catalogue.sqlite: Nachet's tables, 15 seeds, writable"), "\(again.output)")
        #expect(lines(again).contains("✓ blob store: blob folder \(state)/blobs is writable"), "\(again.output)")
    }

    @Test func postgresWithLeastRightsAndTheAzureEmulatorPassEveryCheckAndChangeNothing() async throws {
        let server = try await PostgresServer.shared.value
        let database = try await server.makeDatabase()
        let role = "doctor_agent_" + UUID().lowercased.prefix(8)
        for statement in NachetReferenceSchema.statements(agentRole: role) { try await PostgresServer.query(database, statement) }
        let agentURL = try url(database, user: role, password: NachetReferenceSchema.agentPassword)
        let emulator = try await AzureEmulator.start()
        let directory = TemporaryDirectory()
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let config = directory.appending("nachet-sync.env")
        try "NACHET_DB_URL=\(agentURL)\nNACHET_SCHEMA=\(NachetReferenceSchema.schema)\nNACHET_STORAGE_URL=\(emulator.connectionString)\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        chmod(config, 0o600)
        let masked = try url(database, user: role, password: "***").replacingOccurrences(of: "%2A%2A%2A", with: "***")

        let doctor = try await CommandLineTests().run(
            ["doctor", "--config", config, "--state-dir", directory.appending("state"), drop.root], timeout: .seconds(90))

        #expect(doctor.status == 0, "\(doctor.output)\(doctor.errors)")
        let printed = lines(doctor)
        for line in [
            "✓ setting config file: \(config) (from --config)",
            "✓ setting catalogue: PostgreSQL \(masked) (from NACHET_DB_URL in \(config) line 1)",
            "✓ setting schema: \(NachetReferenceSchema.schema) (from NACHET_SCHEMA in \(config) line 2)",
            "✓ catalogue schema: schema \"\(NachetReferenceSchema.schema)\" holds the tables users, seed, picture_set, picture, picture_seed",
            "✓ catalogue rights: SELECT, INSERT, UPDATE on users, seed, picture_set, picture, picture_seed (tried in a transaction, rolled back)",
            "✓ blob store: Azure Blob Storage \(emulator.endpoint) (account devstoreaccount1, shared key) answers and accepts its credentials",
            "✓ blob store rights: may read, tag, create containers, write blobs (probe: container nachet-sync-doctor and one uncommitted block, removed)",
            "✓ clock: this PC's clock agrees with Azure Blob Storage's (its Date header, to the second)",
        ] {
            #expect(printed.contains(line), "missing \(line) in:\n\(doctor.output)")
        }
        #expect(printed.contains { $0.hasPrefix("✓ setting blob store: Azure Blob Storage ") && $0.contains("AccountKey=***") }, "\(doctor.output)")
        #expect(printed.contains { $0.hasPrefix("✓ catalogue: connected to PostgreSQL \(masked) (PostgreSQL ") }, "\(doctor.output)")
        #expect(!doctor.output.contains(NachetReferenceSchema.agentPassword) && !doctor.output.contains(AzureEmulator.accountKey))
        // Nothing of the probes stays: the transaction was rolled back, no blob was committed.
        let inNachet = { (sql: String) in try await PostgresServer.query(database, schema: NachetReferenceSchema.schema, sql) }
        #expect(try await inNachet("SELECT count(*) FROM users").first?[0] == "0")
        #expect(try await inNachet("SELECT count(*) FROM picture").first?[0] == "0")
        #expect(!emulator.containerNames.contains("nachet-sync-doctor"), "\(emulator.containerNames)")
        await emulator.stop()
    }

    @Test func aWrongPasswordIsOneFailedLineWithTheFixAndNeverShown() async throws {
        let server = try await PostgresServer.shared.value
        let secret = "wrong-\(UUID().uuidString.prefix(6))"
        let wrong = try url(server.adminURL, user: "postgres", password: secret)
        let directory = TemporaryDirectory()
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())

        let doctor = try await CommandLineTests().run(
            ["doctor", "--state-dir", directory.appending("state"), drop.root], environment: ["NACHET_DB_URL": wrong], timeout: .seconds(60))

        #expect(doctor.status == 1, "\(doctor.output)")
        let failed = lines(doctor).filter { $0.hasPrefix("✗ ") }
        #expect(failed.count == 1, "\(failed)")
        #expect(failed.first?.hasPrefix("✗ catalogue: PostgreSQL postgresql://postgres:***@127.0.0.1:") == true, "\(failed)")
        #expect(failed.first?.contains("refused the login") == true && failed.first?.contains("fix the") == true, "\(failed)")
        #expect(lines(doctor).last == "1 of \(lines(doctor).count - 1) checks failed", "\(doctor.output)")
        #expect(!doctor.output.contains(secret) && !doctor.errors.contains(secret))
    }

    @Test func anUnreachableBlobStoreFailsQuicklyWithItsCause() async throws {
        let port = try SilentListener.refusingPort()
        let directory = TemporaryDirectory()
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let store =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=\(AzureEmulator.accountKey);"
            + "BlobEndpoint=http://127.0.0.1:\(port)/devstoreaccount1;"

        let doctor = try await CommandLineTests().run(
            ["doctor", "--state-dir", directory.appending("state"), drop.root], environment: ["NACHET_STORAGE_URL": store],
            timeout: .seconds(60))

        #expect(doctor.status == 1, "\(doctor.output)")
        let failed = lines(doctor).filter { $0.hasPrefix("✗ ") }
        #expect(failed.count == 1, "\(failed)")
        #expect(failed.first?.hasPrefix("✗ blob store: cannot reach Azure Blob Storage at 127.0.0.1: connection refused (tried once)") == true, "\(failed)")
        #expect(!doctor.output.contains(AzureEmulator.accountKey))
    }

    @Test func aDropFolderTheAgentMayNotWriteFailsWhenStatusFilesAreOn() async throws {
        let directory = TemporaryDirectory()
        chmod(directory.path, 0o755)
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        chmod(drop.root, 0o555)
        let state = directory.appending("state")
        // As root every folder is writable: the agent's user is then `nobody`.
        var prefix: [String] = []
        if getuid() == 0 {
            try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
            let nobody = try #require(getpwnam("nobody")?.pointee)
            chown(state, nobody.pw_uid, nobody.pw_gid)
            prefix = ["/usr/sbin/runuser", "-u", "nobody", "--"]
        }
        let arguments = ["doctor", "--state-dir", state]
        let executable = prefix.first ?? CommandLineTests.executable
        let command = Array(prefix.dropFirst()) + (prefix.isEmpty ? [] : [CommandLineTests.executable]) + arguments

        let withStatusFiles = try await CommandLineTests().run(
            [:], executable: executable, arguments: command + ["--status-file", drop.root], timeout: .seconds(60))
        let without = try await CommandLineTests().run([:], executable: executable, arguments: command + [drop.root], timeout: .seconds(60))

        #expect(withStatusFiles.status == 1, "\(withStatusFiles.output)\(withStatusFiles.errors)")
        #expect(
            lines(withStatusFiles).contains(
                "✗ drop folder \(drop.root): readable but not writable (Permission denied), and status files are on (--status-file): give the agent's user write rights on the folder and its set folders, or turn status files off"
            ), "\(withStatusFiles.output)\(withStatusFiles.errors)")
        #expect(lines(without).contains("✓ drop folder \(drop.root): readable"), "\(without.output)\(without.errors)")
        chmod(drop.root, 0o755)
    }
}
