import Foundation
import Glibc

/// One run of an executable (the agent, as a user runs it), its output in
/// files, waited for without holding a cooperative thread.
package struct AgentRun: Sendable {
    package var status: Int32
    package var output: String
    package var errors: String

    /// The longest a run may take unless told otherwise: far beyond any
    /// test's child on a loaded machine, so only a hang reaches it.
    package static let defaultTimeout = Duration.seconds(600)

    /// Runs `executable` with `arguments` and `environment` over the test
    /// process's environment less its `NACHET_*` variables; a run longer
    /// than `timeout` (``defaultTimeout`` when `nil`), or whose task is
    /// cancelled, is stopped with SIGKILL, and its `errors` end by saying so.
    ///
    /// Output goes to files, not pipes: a chatty child cannot block on a
    /// full pipe. Tests run side by side, and a blocked thread starves
    /// every other, so the exit is polled rather than waited for. The child
    /// is started with `posix_spawn`, not Foundation's `Process`, whose
    /// `run()` was seen to crash when many tests start children at once.
    package static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        currentDirectory: String? = nil,
        timeout: Duration? = nil,
        onStart: (pid_t) -> Void = { _ in }
    ) async throws -> AgentRun {
        var base = ProcessInfo.processInfo.environment
        for key in base.keys where key.hasPrefix("NACHET_") { base[key] = nil }
        let environment = base.merging(environment) { $1 }
        let directory = TemporaryDirectory("nachet-sync-output")
        let outputPath = directory.appending("stdout")
        let errorPath = directory.appending("stderr")
        let process = try SpawnedProcess(
            executable, arguments, environment: environment, currentDirectory: currentDirectory, output: .file(outputPath),
            error: .file(errorPath))
        onStart(process.pid)
        var killed: String?
        do {
            try await process.exit(within: timeout ?? defaultTimeout)
        } catch {
            killed = "\n[test support: \(error)]\n"
        }
        let outputData = FileManager.default.contents(atPath: outputPath) ?? Data()
        let errorData = FileManager.default.contents(atPath: errorPath) ?? Data()
        return AgentRun(
            status: process.terminationStatus,
            output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self) + (killed ?? "")
        )
    }
}
