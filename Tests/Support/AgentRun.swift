import Foundation
import Glibc

/// One run of an executable (the agent, as a user runs it), its output in
/// files, waited for without holding a cooperative thread.
public struct AgentRun: Sendable {
    public var status: Int32
    public var output: String
    public var errors: String

    /// The longest a run may take unless told otherwise: far beyond any
    /// test's child on a loaded machine, so only a hang reaches it.
    public static let defaultTimeout = Duration.seconds(600)

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
    public static func run(
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
        let pid = try ChildProcess.spawn(
            executable, arguments, environment: environment, currentDirectory: currentDirectory, outputPath: outputPath,
            errorPath: errorPath)
        onStart(pid)
        let limit = timeout ?? defaultTimeout
        let deadline = ContinuousClock.now + limit
        var status: Int32 = 0
        var killed: String?
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid || (waited < 0 && errno != EINTR) { break }
            if killed == nil, ContinuousClock.now > deadline || Task.isCancelled {
                killed = Task.isCancelled ? "its test was cancelled" : "it ran longer than \(limit)"
                kill(pid, SIGKILL)
            }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let outputData = FileManager.default.contents(atPath: outputPath) ?? Data()
        var errorData = FileManager.default.contents(atPath: errorPath) ?? Data()
        if let killed { errorData.append(Data("\n[test support: \((executable as NSString).lastPathComponent) killed: \(killed)]\n".utf8)) }
        // Exited: its code; killed: the signal's number, as Foundation's
        // `Process.terminationStatus` says it.
        return AgentRun(
            status: status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f,
            output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self)
        )
    }
}
