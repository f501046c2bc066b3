import Foundation
import Glibc
import NachetSyncTestSupport

/// The built `nachet-sync serve`, run as a child process as systemd would
/// run it, its log (JSON lines) in a file.
final class ServeProcess {
    /// The executable, built beside the test bundle; or the one
    /// `NACHET_SYNC_TEST_EXECUTABLE` names (the release build, to measure it).
    static let executable: String = {
        if let chosen = ProcessInfo.processInfo.environment["NACHET_SYNC_TEST_EXECUTABLE"], !chosen.isEmpty { return chosen }
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

    let process: SpawnedProcess
    let logPath: String
    /// The port it listens on, read from its log.
    private(set) var port = 0

    /// Starts `nachet-sync serve` with `arguments` (after `serve`), on a
    /// port of its choosing, and waits until it listens.
    /// - Parameter descriptorLimit: A soft `RLIMIT_NOFILE` for the child
    ///   (systemd's 1,024, say), set by a shell that then becomes it.
    init(arguments: [String], directory: TemporaryDirectory, descriptorLimit: Int? = nil) async throws {
        logPath = directory.appending("serve.log")
        let command = [Self.executable, "serve", "--port", "0", "--log-format", "json"] + arguments
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NACHET_") }
        if let descriptorLimit {
            process = try SpawnedProcess(
                "/bin/sh", ["-c", "ulimit -S -n \(descriptorLimit) && exec \"$@\"", "sh"] + command, environment: environment,
                error: .file(logPath))
        } else {
            process = try SpawnedProcess(command[0], Array(command.dropFirst()), environment: environment, error: .file(logPath))
        }
        var listening: Int?
        _ = try await eventually(within: .seconds(120)) {
            listening = self.logLines.lazy.compactMap { $0["message"] == "serving Nachet's batch-import API" ? $0["port"] : nil }
                .first.flatMap(Int.init)
            return listening != nil || !self.process.isRunning
        }
        guard let listening else { throw HarnessFailure(description: "serve did not start: \(log)") }
        port = listening
    }

    /// The log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// The log's JSON lines, as text fields.
    var logLines: [[String: String]] {
        log.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: String]
        }
    }

    /// The peak resident memory so far (`VmHWM`), in bytes.
    var peakMemory: Int {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// Sends `signal` and waits for the exit; returns the exit status.
    func stop(_ signal: Int32 = SIGTERM) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        try await process.exit(within: .seconds(120))
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.terminate() }
    }
}
