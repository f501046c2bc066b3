import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// `watch --config FILE` and SIGHUP, on the built executable.
@Suite("nachet-sync watch: configuration file and SIGHUP")
struct ReloadTests {
    /// A running `nachet-sync watch`, its standard error in a file.
    private final class RunningAgent {
        let process: SpawnedProcess
        let errorPath: String

        init(arguments: [String], directory: TemporaryDirectory) throws {
            errorPath = directory.appending("agent.stderr")
            process = try SpawnedProcess(
                CommandLineTests.executable, arguments,
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NACHET_") }, error: .file(errorPath))
        }

        var log: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

        func stop() async throws -> Int32 {
            try await process.stop()
        }
    }

    @Test func sighupAppliesTheEditedFileAndKeepsTheRunningOneWhenTheEditIsWrong() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let config = directory.appending("nachet-sync.env")
        let base = "NACHET_SYNC_STATE_DIR=\(state)\nNACHET_SYNC_DROP_DIR=\(drop.root)\nNACHET_SYNC_STABILITY_WINDOW=0.2\n"
        try base.write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try await CommandLineTests().run(["user", "add", "--config", config, "tech@lab.example"]).status == 0)
        func pictures() throws -> Int {
            Int(try SQLiteDatabase(path: state + "/catalogue.sqlite").query("SELECT count(*) FROM picture").first?[0].integer ?? -1)
        }

        let agent = try RunningAgent(arguments: ["watch", "--config", config], directory: directory)
        try await Task.sleep(for: .milliseconds(500))
        try drop.writeImage("a.png", in: "lot-1", seed: 1)
        #expect(try await eventually { try pictures() == 1 }, "\(agent.log)")

        // Marker mode and status files switched on by editing the file.
        try (base + "NACHET_SYNC_READY_MARKER=READY\nNACHET_SYNC_STATUS_FILE=yes\n").write(
            toFile: config, atomically: true, encoding: .utf8)
        kill(agent.process.processIdentifier, SIGHUP)
        #expect(try await eventually { agent.log.contains("configuration reloaded") }, "\(agent.log)")
        try drop.makeSet("lot-2", metadata: DropFolderBuilder.metadata())
        try drop.writeImage("b.png", in: "lot-2", seed: 2)
        let statusFile = drop.root + "/lot-2/" + StatusFileWriter.fileName
        #expect(
            try await eventually { ((try? String(contentsOfFile: statusFile, encoding: .utf8)) ?? "").contains("until READY is in the folder") },
            "\(agent.log)")
        #expect(try pictures() == 1, "nothing is taken before READY")
        #expect(FileManager.default.createFile(atPath: drop.root + "/lot-2/READY", contents: nil))
        #expect(try await eventually { try pictures() == 2 }, "\(agent.log)")

        // A mistake in the edited file: refused, the running configuration kept.
        try (base + "NACHET_SYNC_STABILTY_WINDOW=1\n").write(toFile: config, atomically: true, encoding: .utf8)
        kill(agent.process.processIdentifier, SIGHUP)
        #expect(try await eventually { agent.log.contains("cannot reload the configuration; keeping the one running") }, "\(agent.log)")
        #expect(agent.log.contains("did you mean NACHET_SYNC_STABILITY_WINDOW"))
        try drop.writeImage("c.png", in: "lot-2", seed: 3)
        #expect(try await eventually { try pictures() == 3 }, "still working: \(agent.log)")

        #expect(try await agent.stop() == 0)
    }

    @Test func aFileEveryoneMayReadHoldingASecretIsSaidAtStartAndAtEachReloadUntilFixed() async throws {
        let directory = TemporaryDirectory()
        let drop = directory.appending("drop")
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let config = directory.appending("nachet-sync.env")
        try "NACHET_SYNC_STATE_DIR=\(directory.appending("state"))\nNACHET_SYNC_DROP_DIR=\(drop)\nPGPASSWORD=S3cretPw\n".write(
            toFile: config, atomically: true, encoding: .utf8)
        chmod(config, 0o644)
        let warning = "the configuration file \(config) holds secrets (PGPASSWORD) and every user of this PC may read it (mode 0644)"
        func warnings(_ agent: RunningAgent) -> Int { agent.log.components(separatedBy: warning).count - 1 }

        let agent = try RunningAgent(arguments: ["watch", "--config", config], directory: directory)
        // Signals are handled once the agent is watching.
        #expect(try await eventually { warnings(agent) == 1 && agent.log.contains(" watching") }, "\(agent.log)")
        #expect(agent.log.contains("chmod 600 \(config)"))
        kill(agent.process.processIdentifier, SIGHUP)
        #expect(try await eventually { agent.log.components(separatedBy: "configuration reloaded").count == 2 }, "\(agent.log)")
        #expect(warnings(agent) == 2, "said again on reload: \(agent.log)")

        chmod(config, 0o600)
        kill(agent.process.processIdentifier, SIGHUP)
        #expect(try await eventually { agent.log.components(separatedBy: "configuration reloaded").count == 3 }, "\(agent.log)")
        #expect(warnings(agent) == 2, "not said once fixed: \(agent.log)")
        #expect(!agent.log.contains("S3cretPw"))
        #expect(try await agent.stop() == 0)
    }

    @Test func aMistakeInTheFileAtStartIsExitCode3WithTheLine() async throws {
        let directory = TemporaryDirectory()
        let config = directory.appending("nachet-sync.env")
        try "NACHET_DB_URL=postgresql://sync:secret-password@db/nachet\nNACHET_SYNC_STATUS_FILE=perhaps\n".write(
            toFile: config, atomically: true, encoding: .utf8)

        let result = try await CommandLineTests().run(["sync", "--config", config, "--state-dir", directory.appending("state"), directory.path])

        #expect(result.status == 3)
        #expect(result.errors.contains("NACHET_SYNC_STATUS_FILE=perhaps (in \(config)): expected true or false"), "\(result.errors)")
        #expect(!result.errors.contains("secret-password"))
    }
}
