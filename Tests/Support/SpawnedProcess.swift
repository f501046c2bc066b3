import Foundation
import Glibc
import Synchronization

/// A child process started with `posix_spawn`, for tests that watch it run,
/// signal it and read its exit status.
///
/// Tests never use Foundation's `Process`: on Linux its `run()` sometimes
/// crashes the whole test process (a read past the end of a directory
/// entry while it lists `/proc/self/fd`, swift-corelibs-foundation#5472),
/// which CI met once in a full run.
package final class SpawnedProcess: Sendable {
    /// Where one of the child's standard streams goes.
    package enum Stream: Sendable {
        /// `/dev/null`.
        case null
        /// The file at this path, created or emptied.
        case file(String)
        /// This process's own.
        case inherited
        /// An open descriptor of this process (the end of a pipe).
        case descriptor(Int32)
    }

    package let pid: pid_t
    /// The program's file name, for messages.
    package let name: String
    /// The child's process id, as Foundation's `Process` calls it.
    package var processIdentifier: pid_t { pid }
    /// The raw status `waitpid` gave, once the child was reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// Starts `executable` (looked up on `PATH` when not a path).
    /// - Parameters:
    ///   - environment: The child's; this process's when `nil`.
    ///   - currentDirectory: Where the child starts; this process's when `nil`.
    ///   - error: Where its standard error goes; with its output when `nil`.
    package init(
        _ executable: String,
        _ arguments: [String],
        environment: [String: String]? = nil,
        currentDirectory: String? = nil,
        input: Stream = .null,
        output: Stream = .null,
        error: Stream? = .null
    ) throws {
        pid = try ChildProcess.spawn(
            executable, arguments, environment: environment, currentDirectory: currentDirectory, input: input, output: output,
            error: error)
        name = (executable as NSString).lastPathComponent
    }

    /// Sends SIGTERM, as systemd stops a service.
    package func terminate() {
        if isRunning { kill(pid, SIGTERM) }
    }

    /// Whether the child has not exited yet (reaps it when it has).
    package var isRunning: Bool {
        reap(blocking: false) == nil
    }

    /// Waits, without holding a thread, until the child exits; one still
    /// running after `limit`, or when the task is cancelled, is killed
    /// (SIGKILL) and the wait throws, so a child that hangs fails its test
    /// instead of stalling the whole run.
    package func exit(within limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        while isRunning {
            if Task.isCancelled { throw killed(because: "its task was cancelled") }
            guard ContinuousClock.now < deadline else { throw killed(because: "it was still running after \(limit)") }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits, blocking the calling thread (one of its own: see
    /// ``onOwnThread(_:)``), until the child exits; one still running after
    /// `limit` is killed and the wait throws, as ``exit(within:)`` does.
    package func waitUntilExit(killingAfter limit: Duration) throws {
        let deadline = ContinuousClock.now + limit
        while isRunning {
            guard ContinuousClock.now < deadline else { throw killed(because: "it was still running after \(limit)") }
            usleep(10_000)
        }
    }

    /// Sends SIGTERM and waits for the exit as ``exit(within:)`` does.
    /// - Returns: ``terminationStatus``.
    @discardableResult
    package func stop(within limit: Duration = .seconds(120)) async throws -> Int32 {
        terminate()
        try await exit(within: limit)
        return terminationStatus
    }

    /// Whether the child exited (rather than being killed by a signal).
    package var exitedNormally: Bool {
        guard let status = reap(blocking: false) else { return false }
        return status & 0x7f == 0
    }

    /// Its exit code, or the signal that killed it, as Foundation's
    /// `Process.terminationStatus` says; -1 while it runs.
    package var terminationStatus: Int32 {
        guard let status = reap(blocking: false) else { return -1 }
        return status & 0x7f == 0 ? (status >> 8) & 0xff : status & 0x7f
    }

    /// Kills it (SIGKILL) and waits until it is gone.
    package func forceStop() {
        guard isRunning else { return }
        kill(pid, SIGKILL)
        _ = reap(blocking: true)
    }

    /// Kills the child (SIGKILL), waits for it, and says why.
    private func killed(because reason: String) -> ChildProcess.Failure {
        forceStop()
        return ChildProcess.Failure(description: "\(name) (pid \(pid)) killed: \(reason)")
    }

    /// The raw wait status once reaped, `nil` while the child runs.
    private func reap(blocking: Bool) -> Int32? {
        reaped.withLock { reaped in
            if let reaped { return reaped }
            var status: Int32 = 0
            var result: pid_t
            repeat { result = waitpid(pid, &status, blocking ? 0 : WNOHANG) } while result < 0 && errno == EINTR
            guard result == pid else { return nil }
            reaped = status
            return status
        }
    }
}
