import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// What a hostile tester tried on the built executable: options out of
/// range, secrets in every form, odd account names, file modes, a damaged
/// state file. None may crash the agent or show a secret.
@Suite("nachet-sync command line: hostile input")
struct HostileInputTests {
    private let cli = CommandLineTests()
    /// A run that should end at once; one that hangs is stopped.
    private let brief: Duration = .seconds(60)

    @Test(arguments: [
        ["watch", "--stability-window", "inf"], ["watch", "--stability-window", "nan"], ["watch", "--stability-window", "1e300"],
        ["watch", "--stability-window=-1"], ["watch", "--stability-window", "3601"], ["watch", "--rescan-interval", "inf"],
        ["watch", "--rescan-interval", "0.5"], ["watch", "--rescan-interval", "1e300"], ["sync", "--parallel-uploads", "0"],
        ["sync", "--parallel-uploads", "257"], ["watch", "--parallel-uploads", "1000"], ["sync", "--verify-every", "inf"],
        ["watch", "--verify-every=-1"], ["sync", "--verify-every", "8761"],
    ])
    func aFlagOutOfRangeIsExitCode64WithTheRange(_ arguments: [String]) async throws {
        let directory = TemporaryDirectory()

        let result = try await cli.run(arguments + ["--state-dir", directory.appending("state"), directory.path], timeout: brief)

        #expect(result.status == 64, "\(result.errors)")
        let flag = arguments[1].split(separator: "=")[0]
        #expect(result.errors.contains("\(flag) must be"), "\(result.errors)")
        #expect(result.errors.contains(" from "), "the message gives the range: \(result.errors)")
    }

    @Test(arguments: [
        ("NACHET_SYNC_STABILITY_WINDOW", "inf"), ("NACHET_SYNC_STABILITY_WINDOW", "nan"), ("NACHET_SYNC_STABILITY_WINDOW", "1e300"),
        ("NACHET_SYNC_RESCAN_INTERVAL", "inf"), ("NACHET_SYNC_RESCAN_INTERVAL", "-5"), ("NACHET_SYNC_PARALLEL_UPLOADS", "1e300"),
        ("NACHET_SYNC_PARALLEL_UPLOADS", "nan"), ("NACHET_SYNC_VERIFY_EVERY", "inf"), ("NACHET_SYNC_VERIFY_EVERY", "-1"),
    ])
    func aSettingOutOfRangeIsAConfigurationErrorNamingIt(_ name: String, _ value: String) async throws {
        let directory = TemporaryDirectory()
        let drop = directory.appending("drop")
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let config = directory.appending("nachet-sync.env")
        try "\(name)=\(value)\n".write(toFile: config, atomically: true, encoding: .utf8)

        let fromEnvironment = try await cli.run(
            ["watch", "--state-dir", directory.appending("state"), drop], environment: [name: value], timeout: brief)
        let fromFile = try await cli.run(["watch", "--config", config, "--state-dir", directory.appending("state"), drop], timeout: brief)

        #expect(fromEnvironment.status == 3, "\(fromEnvironment.errors)")
        #expect(fromEnvironment.errors.contains("\(name)=\(value): expected a "), "\(fromEnvironment.errors)")
        #expect(fromFile.status == 3, "\(fromFile.errors)")
        #expect(fromFile.errors.contains("\(name)=\(value) (in \(config)): expected a "), "\(fromFile.errors)")
    }

    @Test(arguments: ["my account", "nachet/lab", "x"])
    func aBlobAccountNameThatMakesNoURLIsAPlainError(_ name: String) async throws {
        let directory = TemporaryDirectory()
        let drop = directory.appending("drop")
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let key = "bmFjaGV0LXN5bmMtdGVzdC12ZWN0b3Ita2V5LW5vdC1hLXJlYWwtc2VjcmV0LTAwMDA="

        let result = try await cli.run(
            ["sync", "--state-dir", directory.appending("state"), drop],
            environment: ["NACHET_BLOB_ACCOUNT": name, "NACHET_BLOB_KEY": key],
            timeout: brief)

        #expect(result.status == 3, "not a crash (132 was SIGILL): \(result.errors)")
        #expect(result.errors.contains("storage account name"))
        #expect(!result.errors.contains(key))
    }

    @Test(arguments: ["user=nachet password=S3cretPw port=1", "service=lab password=S3cretPw", " port = 1 password = S3cretPw"])
    func aKeyValueCatalogueStringIsPostgreSQLNeverAFileInTheWorkingDirectory(_ catalogue: String) async throws {
        let directory = TemporaryDirectory()
        let working = directory.appending("working")
        try FileManager.default.createDirectory(atPath: working, withIntermediateDirectories: true)

        let result = try await cli.run(
            // (A server that refuses is retried until --give-up-after: briefly here.)
            ["seeds", "--state-dir", directory.appending("state"), "--give-up-after", "1", "--catalogue", catalogue], currentDirectory: working,
            timeout: brief)

        #expect(result.status == 3, "\(result.output)\(result.errors)")
        #expect(result.errors.contains("PostgreSQL"), "\(result.errors)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: working) == [])
        #expect(!result.errors.contains("S3cretPw"), "\(result.errors)")
    }

    @Test(arguments: [
        "host=127.0.0.1 port=1 password = 'S3cretA S3cretB'", "host=127.0.0.1 port=1 password=S3cretA S3cretB",
        "postgresql://nachet:S3cretA%zzS3cretB@127.0.0.1:1/nachet", "postgresql://nachet:S3cretA/S3cretB@127.0.0.1:1/nachet",
        "postgresql://127.0.0.1:1/nachet?password=S3cretA%zzS3cretB",
    ])
    func noFormOfPostgresPasswordReachesTheOutput(_ catalogue: String) async throws {
        let directory = TemporaryDirectory()

        let result = try await cli.run(
            ["seeds", "--state-dir", directory.appending("state"), "--log-level", "trace", "--give-up-after", "1"],
            environment: ["NACHET_DB_URL": catalogue],
            timeout: brief)

        #expect(result.status == 3)
        #expect(!(result.output + result.errors).contains("S3cretA"), "\(result.errors)")
        #expect(!(result.output + result.errors).contains("S3cretB"), "\(result.errors)")
    }

    @Test func theEmbeddedDefaultKeepsEveryFileItMakesPrivateAndTheStatusFilesReadable() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = directory.appending("drop")
        try FileManager.default.copyItem(atPath: CommandLineTests.examples, toPath: drop)
        _ = try await cli.run(["user", "add", "--state-dir", state, "tech@lab.example"], timeout: brief)

        let sync = try await cli.run(["sync", "--state-dir", state, "--status-file", drop], timeout: brief)

        #expect(sync.output.contains("5 pictures uploaded"), "\(sync.output)\(sync.errors)")
        #expect(FileModes.of(state) == 0o700)
        let modes = FileModes.everything(under: state)
        #expect(modes.keys.contains("state.sqlite") && modes.keys.contains("catalogue.sqlite") && modes.keys.contains("blobs/.uploads"))
        for (path, mode) in modes {
            #expect(mode == (FileModes.isDirectory(state + "/" + path) ? 0o700 : 0o600), "\(path): \(String(mode, radix: 8))")
        }
        let statusFile = try #require(FileModes.of(drop + "/canola-2026-11-03/nachet-sync-status.txt"))
        #expect(statusFile & 0o044 == 0o044, "the technicians read it: no umask for the agent's own files")
    }

    @Test func aDamagedStateFileIsNamedAndMovingItAsideAsToldUploadsNothingTwice() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = directory.appending("drop")
        try FileManager.default.copyItem(atPath: CommandLineTests.examples, toPath: drop)
        _ = try await cli.run(["user", "add", "--state-dir", state, "tech@lab.example"], timeout: brief)
        let first = try await cli.run(["sync", "--state-dir", state, drop], timeout: brief)
        #expect(first.output.contains("5 pictures uploaded"), "\(first.output)")
        let path = state + "/state.sqlite"
        for companion in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + companion) }
        try Data((0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }).write(to: URL(fileURLWithPath: path))

        let damaged = try await cli.run(["sync", "--state-dir", state, drop], timeout: brief)

        #expect(damaged.status == 3)
        #expect(damaged.errors.contains("the state file \(path) is damaged"), "\(damaged.errors)")
        #expect(damaged.errors.contains("only a cache"))
        let move = "mv \(path) \(path).damaged"
        #expect(damaged.errors.contains(move))

        try FileManager.default.moveItem(atPath: path, toPath: path + ".damaged")
        let rebuilt = try await cli.run(["sync", "--state-dir", state, drop], timeout: brief)

        #expect(rebuilt.output.contains("0 pictures uploaded, 6 skipped as already there"), "\(rebuilt.output)\(rebuilt.errors)")
    }
}
