import Foundation
import Glibc

/// One run of an executable (the agent, as a user runs it), its output in
/// files, waited for without holding a cooperative thread.
public struct AgentRun: Sendable {
    public var status: Int32
    public var output: String
    public var errors: String

    /// Runs `executable` with `arguments` and `environment` over the test
    /// process's environment less its `NACHET_*` variables; a run longer
    /// than `timeout` is stopped with SIGKILL.
    ///
    /// Output goes to files, not pipes: a chatty child cannot block on a
    /// full pipe. Tests run side by side, and a blocked thread starves
    /// every other, so the exit is polled rather than waited for.
    public static func run(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String] = [:],
        currentDirectory: String? = nil,
        timeout: Duration? = nil,
        onStart: (Process) -> Void = { _ in }
    ) async throws -> AgentRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
        var base = ProcessInfo.processInfo.environment
        for key in base.keys where key.hasPrefix("NACHET_") { base[key] = nil }
        process.environment = base.merging(environment) { $1 }
        let directory = TemporaryDirectory("nachet-sync-output")
        let outputPath = directory.appending("stdout")
        let errorPath = directory.appending("stderr")
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        onStart(process)
        // Foundation's waitUntilExit can miss a child's exit when called from
        // a task; polling cannot.
        let deadline = timeout.map { ContinuousClock.now + $0 }
        while process.isRunning {
            if let deadline, ContinuousClock.now > deadline { kill(process.processIdentifier, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let outputData = FileManager.default.contents(atPath: outputPath) ?? Data()
        let errorData = FileManager.default.contents(atPath: errorPath) ?? Data()
        return AgentRun(
            status: process.terminationStatus,
            output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self)
        )
    }
}
