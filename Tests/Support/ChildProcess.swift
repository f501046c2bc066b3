import Foundation
import Glibc

/// Runs a program to completion with `posix_spawn` and `waitpid`, its output
/// captured in a file.
///
/// Used instead of Foundation's `Process` for programs that leave a daemon
/// behind (`pg_ctl start`): the daemon inherits no pipe, and the exit is
/// collected by `waitpid` directly.
package enum ChildProcess {
    package struct Failure: Error, CustomStringConvertible {
        package var description: String
    }

    /// Starts `executable` with each standard stream where it is told;
    /// errors go with the output when `error` is `nil`.
    static func spawn(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]?,
        currentDirectory: String? = nil,
        input: SpawnedProcess.Stream,
        output: SpawnedProcess.Stream,
        error: SpawnedProcess.Stream?
    ) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        func open(_ stream: SpawnedProcess.Stream, as descriptor: Int32, flags: Int32) {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, descriptor, "/dev/null", flags, 0)
            case .file(let path): posix_spawn_file_actions_addopen(&actions, descriptor, path, flags, 0o644)
            case .inherited: break
            case .descriptor(let open): posix_spawn_file_actions_adddup2(&actions, open, descriptor)
            }
        }
        open(input, as: 0, flags: O_RDONLY)
        open(output, as: 1, flags: O_WRONLY | O_CREAT | O_TRUNC)
        if let error {
            open(error, as: 2, flags: O_WRONLY | O_CREAT | O_TRUNC)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        }
        // Only the three standard streams, as systemd starts a service: the
        // descriptors of this process (other tests' sockets, open at the
        // same time) are not the child's to hold open or to count.
        if let addCloseFrom { _ = addCloseFrom(&actions, 3) }
        if let currentDirectory {
            guard let addChdir, addChdir(&actions, currentDirectory) == 0 else {
                throw Failure(description: "cannot start \(executable) in \(currentDirectory): no posix_spawn_file_actions_addchdir_np")
            }
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { (argv + (envp ?? [])).forEach { free($0) } }
        // Every signal at its default and none blocked, as systemd starts a
        // service: this process ignores SIGPIPE (SwiftNIO), which a child
        // would otherwise inherit.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in Int32(1)..<32 where signal != SIGKILL && signal != SIGSTOP { sigaddset(&defaults, signal) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let spawned =
            if let envp { posix_spawnp(&pid, executable, &actions, &attributes, argv, envp) } else {
                posix_spawnp(&pid, executable, &actions, &attributes, argv, environ)
            }
        guard spawned == 0 else {
            throw Failure(description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
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

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later),
    /// looked up by name as ``addChdir`` is; without it, the child inherits
    /// what is not close-on-exec.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    /// Runs `executable` with `arguments`, blocking the calling thread;
    /// returns its output, or throws with it when the exit status is not 0
    /// or it runs longer than `limit`.
    @discardableResult
    package static func run(_ executable: String, _ arguments: [String], limit: Duration = .seconds(300)) throws -> String {
        let outputPath = NSTemporaryDirectory() + "/nachet-child-" + UUID().uuidString
        defer { unlink(outputPath) }
        let process = try SpawnedProcess(executable, arguments, output: .file(outputPath), error: nil)
        try process.waitUntilExit(killingAfter: limit)
        let output = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard process.exitedNormally && process.terminationStatus == 0 else {
            throw Failure(
                description:
                    "\((executable as NSString).lastPathComponent) \(arguments.first ?? "") failed (status \(process.terminationStatus)): \(output)")
        }
        return output
    }
}
