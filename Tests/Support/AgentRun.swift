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
        let pid = try spawn(
            executable, arguments, environment: environment, currentDirectory: currentDirectory, outputPath: outputPath,
            errorPath: errorPath)
        onStart(pid)
        let deadline = timeout.map { ContinuousClock.now + $0 }
        var status: Int32 = 0
        while true {
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid || (waited < 0 && errno != EINTR) { break }
            if let deadline, ContinuousClock.now > deadline { kill(pid, SIGKILL) }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let outputData = FileManager.default.contents(atPath: outputPath) ?? Data()
        let errorData = FileManager.default.contents(atPath: errorPath) ?? Data()
        // Exited: its code; killed: the signal's number, as Foundation's
        // `Process.terminationStatus` says it.
        return AgentRun(
            status: status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f,
            output: String(decoding: outputData, as: UTF8.self),
            errors: String(decoding: errorData, as: UTF8.self)
        )
    }

    /// Starts `executable` with its input from `/dev/null`, its output and
    /// errors into files, in `currentDirectory` when given.
    private static func spawn(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String],
        currentDirectory: String?,
        outputPath: String,
        errorPath: String
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if let currentDirectory {
            guard let addChdir = addChdir, addChdir(&actions, currentDirectory) == 0 else {
                throw ChildProcess.Failure(description: "cannot start \(executable) in \(currentDirectory): no posix_spawn_file_actions_addchdir_np")
            }
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        guard spawned == 0 else {
            throw ChildProcess.Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        return pid
    }

    /// glibc's `posix_spawn_file_actions_addchdir_np` (2.29 and later), which
    /// the Glibc module does not export: looked up by name.
    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()
}
