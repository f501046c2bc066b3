import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The limits as an administrator sets them: flags checked before anything
/// starts, `NACHET_SYNC_SERVE_*` settings read from the `--config` file.
@Suite("serve: the limits' settings")
struct ServeLimitSettingsTests {
    /// Runs `serve` with `arguments` until it exits; its status and messages.
    static func refused(_ arguments: [String], in directory: TemporaryDirectory) async throws -> (status: Int32, text: String) {
        let errors = directory.appending("errors")
        let process = try SpawnedProcess(
            ServeProcess.executable, ["serve", "--state-dir", directory.appending("state"), "--insecure-dev-no-auth"] + arguments,
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NACHET_") }, error: .file(errors))
        try await process.exit(within: .seconds(120))
        return (process.terminationStatus, (try? String(contentsOfFile: errors, encoding: .utf8)) ?? "")
    }

    @Test func aLimitOutOfRangeIsRefusedWithItsRange() async throws {
        let directory = TemporaryDirectory()
        let flag = try await Self.refused(["--header-timeout", "0"], in: directory)
        #expect(flag.status == 64)
        #expect(flag.text.contains("--header-timeout must be a number of seconds from 0.1 to 600, such as 20"), "\(flag.text)")

        let config = directory.appending("serve.env")
        try "NACHET_SYNC_SERVE_MAX_CONNECTIONS=0\n".write(toFile: config, atomically: true, encoding: .utf8)
        let setting = try await Self.refused(["--config", config], in: directory)
        #expect(setting.status == 3)
        #expect(
            setting.text.contains(
                "NACHET_SYNC_SERVE_MAX_CONNECTIONS=0 (in \(config)): expected a whole number of connections from 1 to 1000000, such as 512"),
            "\(setting.text)")

        let memory = try await Self.refused(["--max-content-length", "100", "--json-memory", "64"], in: directory)
        #expect(memory.status == 3)
        #expect(memory.text.contains("the memory for JSON bodies (--json-memory, 64 MiB) must be at least the largest JSON request"))
    }

    @Test func aLimitSetInTheConfigurationFileActs() async throws {
        let directory = TemporaryDirectory()
        let config = directory.appending("serve.env")
        try "NACHET_SYNC_SERVE_HEADER_TIMEOUT=1\n".write(toFile: config, atomically: true, encoding: .utf8)
        try await HostileServe.with(["--config", config]) { serve in
            let silent = try RawConnection(to: serve.port, from: "127.0.0.2")
            #expect(try await eventually(within: .seconds(30)) { silent.isClosedByServer })
            #expect(!serve.logLines(startingWith: "closed a connection that sent no whole request head within 1 s").isEmpty)
            #expect(try await serve.stop() == 0)
        }
    }
}
