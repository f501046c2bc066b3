import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// Runs the built `nachet-sync` executable as a user would.
@Suite("nachet-sync command line")
struct CommandLineTests {
    struct Result {
        var status: Int32
        var output: String
        var errors: String
    }

    /// The executable, built beside the test bundle.
    static let executable: String = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("nachet-sync").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return repository.appendingPathComponent(".build/debug/nachet-sync").path
    }()

    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("examples/drop").path

    func run(
        _ arguments: [String], environment: [String: String] = [:], currentDirectory: String? = nil, timeout: Duration? = nil
    ) async throws -> Result {
        try await run(environment, executable: Self.executable, arguments: arguments, currentDirectory: currentDirectory, timeout: timeout)
    }

    /// Runs `executable` (the agent unless told) with `arguments` (``AgentRun``);
    /// a run longer than `timeout` is stopped with SIGKILL.
    func run(
        _ environment: [String: String], executable: String, arguments: [String], currentDirectory: String? = nil, timeout: Duration? = nil
    ) async throws -> Result {
        let run = try await AgentRun.run(
            executable, arguments, environment: environment, currentDirectory: currentDirectory, timeout: timeout)
        return Result(status: run.status, output: run.output, errors: run.errors)
    }

    @Test func theReadmeDemoWorksAsWritten() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = directory.appending("drop")
        try FileManager.default.copyItem(atPath: Self.examples, toPath: drop)

        let add = try await run(["user", "add", "--state-dir", state, "tech@lab.example"])
        #expect(add.status == 0, "\(add.errors)")
        #expect(add.output.contains("registered tech@lab.example"))

        let sync = try await run(["sync", "--state-dir", state, drop])
        #expect(sync.status == 2, "the example set with a typo makes exit code 2: \(sync.errors)")
        #expect(sync.output.contains("2 sets, 5 pictures uploaded, 1 skipped as already there"))
        #expect(sync.output.contains("did you mean \"Bromus secalinus\""))
        #expect(sync.output.contains("incoming-no-metadata: pending"))

        let again = try await run(["sync", "--state-dir", state, drop])
        #expect(again.output.contains("0 pictures uploaded, 6 skipped as already there (6 without reading)"))

        try FileManager.default.removeItem(atPath: drop + "/bromus-typo")
        let clean = try await run(["sync", "--state-dir", state, drop])
        #expect(clean.status == 0, "\(clean.output)")

        let status = try await run(["status", "--state-dir", state, "--json"])
        #expect(status.status == 0)
        let folders = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [[String: Any]]
        let canola = try #require(folders?.first { ($0["path"] as? String)?.hasSuffix("canola-2026-11-03") == true })
        #expect(canola["done"] as? Int == 3)
        #expect(canola["pending"] as? Int == 0)
        #expect(canola["set_id"] is String)
    }

    @Test func userAddTwiceIsHarmless() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        _ = try await run(["user", "add", "--state-dir", state, "tech@lab.example"])
        let again = try await run(["user", "add", "--state-dir", state, "tech@lab.example"])
        #expect(again.status == 0)
        #expect(again.output.contains("already registered"))
    }

    /// Addresses that differ only in case or Unicode form are one user:
    /// `user add` refuses a second spelling, naming the one registered.
    @Test func userAddRefusesASecondSpellingOfARegisteredAddress() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let first = try await run(["user", "add", "--state-dir", state, "\u{C9}ve@lab.example"])
        #expect(first.status == 0, "\(first.errors)")

        let second = try await run(["user", "add", "--state-dir", state, "\u{E9}ve@lab.example"])
        #expect(second.status != 0)
        #expect(second.errors.contains("\"\u{E9}ve@lab.example\" is already registered as \"\u{C9}ve@lab.example\" (user "), "\(second.errors)")

        let decomposed = try await run(["user", "add", "--state-dir", state, "E\u{301}ve@lab.example"])
        #expect(decomposed.status == 0, "the same spelling, decomposed: \(decomposed.errors)")
        #expect(decomposed.output.contains("\u{C9}ve@lab.example is already registered"))
        let invisible = try await run(["user", "add", "--state-dir", state, "eve\u{200B}@lab.example"])
        #expect(invisible.status != 0 && invisible.errors.contains("U+200B"), "\(invisible.errors)")
    }

    @Test func aMissingDropFolderIsExitCode3WithItsFix() async throws {
        let directory = TemporaryDirectory()
        let result = try await run(["sync", "--state-dir", directory.appending("state"), directory.appending("nowhere")])
        #expect(result.status == 3)
        #expect(result.errors.contains("no such folder"))
    }

    @Test func aStateDirectoryInsideTheDropFolderIsRefused() async throws {
        let directory = TemporaryDirectory()
        let result = try await run(["sync", "--state-dir", directory.appending("drop/.state"), directory.appending("drop")])
        #expect(result.status == 3)
        #expect(result.errors.contains("inside the drop folder"))
    }

    @Test func anUnreachableDatabaseIsExitCode3WithoutThePassword() async throws {
        let directory = TemporaryDirectory()
        let result = try await run(
            ["seeds", "--state-dir", directory.appending("state"), "--give-up-after", "1"],
            environment: ["NACHET_DB_URL": "postgresql://nachet:s3cret-pw@127.0.0.1:1/nachet"]
        )
        #expect(result.status == 3)
        #expect(result.errors.contains("postgresql://nachet:***@127.0.0.1:1/nachet"))
        #expect(!result.errors.contains("s3cret-pw"))
    }

    @Test func theDemoRunsAgainstAzureWithoutShowingTheKey() async throws {
        let emulator = try await AzureEmulator.start()
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = directory.appending("drop")
        try FileManager.default.copyItem(atPath: Self.examples, toPath: drop)
        let environment = ["NACHET_STORAGE_URL": emulator.connectionString]

        let add = try await run(["user", "add", "--state-dir", state, "tech@lab.example"], environment: environment)
        #expect(add.status == 0, "\(add.errors)")
        let sync = try await run(["sync", "--state-dir", state, "--verify", "--log-level", "debug", drop], environment: environment)

        #expect(sync.status == 2, "\(sync.output)\(sync.errors)")
        #expect(sync.output.contains("5 pictures uploaded"))
        #expect(sync.output.contains("Azure Blob Storage http://127.0.0.1:\(emulator.port)/devstoreaccount1"))
        #expect(!(sync.output + sync.errors + add.output + add.errors).contains(AzureEmulator.accountKey))
        let pictures = emulator.containerNames.flatMap { emulator.blobNames(container: $0) }.filter { !$0.hasSuffix(".json") }
        #expect(pictures.count == 5)
        await emulator.stop()
    }

    @Test func seedsListsTheFifteenDefaults() async throws {
        let directory = TemporaryDirectory()
        let result = try await run(["seeds", "--state-dir", directory.appending("state")])
        #expect(result.status == 0)
        #expect(result.output.split(separator: "\n").count == 15)
        #expect(result.output.contains("Bromus secalinus"))
    }

    @Test(arguments: ["sync", "watch", "status", "doctor", "seeds", "user add"])
    func everySubcommandHasHelpWithAnExample(command: String) async throws {
        let result = try await run(command.split(separator: " ").map(String.init) + ["--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("EXAMPLE"))
        #expect(result.output.contains("nachet-sync \(command)"))
    }

    @Test func watchStopsCleanlyOnSIGTERM() async throws {
        let directory = TemporaryDirectory()
        let drop = directory.appending("drop")
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let process = try SpawnedProcess(Self.executable, ["watch", "--state-dir", directory.appending("state"), drop])
        try await Task.sleep(for: .seconds(1))
        try await process.stop(within: .seconds(15))
        #expect(process.exitedNormally)
        #expect(process.terminationStatus == 0)
    }

    @Test func sigtermDuringA500FileUploadThenARestartEndsWithExactCounts() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        for index in 0..<500 { try drop.writeImage("img-\(index).png", in: "lot-1", seed: UInt64(index), size: 200_000) }
        _ = try await run(["user", "add", "--state-dir", state, "tech@lab.example"])
        let process = try SpawnedProcess(
            Self.executable, ["watch", "--state-dir", state, "--stability-window", "0", "--parallel-uploads", "1", drop.root])
        let blobs = state + "/blobs"
        @Sendable func storedBlobs() -> Int {
            ((try? FileManager.default.subpathsOfDirectory(atPath: blobs)) ?? [])
                .filter { !$0.hasPrefix(".") && $0.split(separator: "/").count == 3 && !$0.hasSuffix(".json") }.count
        }
        // A thread of its own sends SIGTERM as soon as ten pictures are in, so
        // a busy test run cannot delay the stop until the upload is over.
        let stopper = Thread {
            let deadline = Date().addingTimeInterval(60)
            while storedBlobs() < 10 && Date() < deadline { usleep(2_000) }
            process.terminate()
        }
        stopper.start()
        try await process.exit(within: .seconds(90))
        #expect(process.terminationStatus == 0, "SIGTERM is a clean stop")
        let beforeRestart = storedBlobs()
        #expect(beforeRestart < 500, "stopped in the middle (\(beforeRestart) stored)")

        let restart = try await run(["sync", "--state-dir", state, drop.root])

        #expect(restart.status == 0, "\(restart.output)")
        #expect(restart.output.contains(", 0 errors"), "\(restart.output)")
        #expect(!restart.output.contains(" 0 pictures uploaded"), "the restart completed what the stop left")
        #expect(storedBlobs() == 500)
        let database = try SQLiteDatabase(path: state + "/catalogue.sqlite")
        #expect(try database.query("SELECT count(*) FROM picture").first?[0].integer == 500)
        #expect(try database.query("SELECT count(*) FROM picture_seed").first?[0].integer == 500)
    }

    @Test func watchTellsSystemdItIsReadyAndStopping() async throws {
        let directory = TemporaryDirectory()
        let drop = directory.appending("drop")
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let socketPath = directory.appending("notify.sock")
        let listener = try DatagramListener(path: socketPath)
        let process = try SpawnedProcess(
            Self.executable, ["watch", "--state-dir", directory.appending("state"), drop],
            environment: ProcessInfo.processInfo.environment.merging(["NOTIFY_SOCKET": socketPath, "WATCHDOG_USEC": "400000"]) { $1 })

        var messages: [String] = []
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline,
            messages.filter({ $0.contains("WATCHDOG=1") }).count < 2 || !messages.contains(where: { $0.contains("READY=1") })
        {
            if let message = listener.receive(timeoutMilliseconds: 200) { messages.append(message) }
        }
        process.terminate()
        while ContinuousClock.now < deadline + .seconds(15), let message = listener.receive(timeoutMilliseconds: 200) {
            messages.append(message)
            if message.contains("STOPPING=1") { break }
        }
        try await process.exit(within: .seconds(120))

        #expect(messages.contains { $0.hasPrefix("READY=1\nSTATUS=watching ") }, "\(messages)")
        #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 2, "watchdog pings every half interval")
        #expect(messages.contains("STOPPING=1"))
        #expect(process.terminationStatus == 0)
    }
}
