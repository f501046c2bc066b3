import Foundation
import Glibc
import NachetSyncTestSupport
import Testing

/// The agent's standard error under systemd: when `JOURNAL_STREAM` names it,
/// every line starts with its syslog priority, which journald strips and
/// files the line under (`journalctl -p err`).
@Suite("journald priorities from the command line")
struct JournalPriorityCommandLineTests {
    /// Standard error of a run, in a file.
    struct ErrorFile {
        let path: String
        let handle: FileHandle
        /// `JOURNAL_STREAM` naming this file (device:inode), as systemd sets it.
        let streamValue: String

        init(_ path: String) throws {
            self.path = path
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            var status = stat()
            guard fstat(handle.fileDescriptor, &status) == 0 else { throw POSIXError(.EBADF) }
            streamValue = "\(status.st_dev):\(status.st_ino)"
        }

        var lines: [String] {
            ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    /// Runs `watch` over an empty drop folder until it says it is watching,
    /// stops it with SIGTERM, and returns its standard error's lines.
    func watchLines(journalStream: (ErrorFile) -> String?) async throws -> [String] {
        let directory = TemporaryDirectory()
        let drop = directory.appending("drop")
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let errors = try ErrorFile(directory.appending("stderr"))
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NACHET_") }
        environment["JOURNAL_STREAM"] = journalStream(errors)
        let process = try SpawnedProcess(
            CommandLineTests.executable, ["watch", "--state-dir", directory.appending("state"), drop], environment: environment,
            error: .file(errors.path))
        let watching = try await eventually { errors.lines.contains { $0.hasSuffix("watching") } }
        process.terminate()
        let stopped = try await eventually { !process.isRunning }
        #expect(watching && stopped, "\(errors.lines)")
        #expect(process.terminationStatus == 0)
        return errors.lines
    }

    @Test func underTheJournalEveryLineCarriesItsPriority() async throws {
        let lines = try await watchLines { $0.streamValue }
        #expect(!lines.isEmpty)
        for line in lines {
            #expect(line.range(of: #"^<[0-7]>"#, options: .regularExpression) != nil, "\(line)")
        }
        #expect(lines.contains { $0.hasPrefix("<6>") && $0.hasSuffix("watching") }, "info is 6: \(lines)")
        #expect(lines.contains { $0.hasPrefix("<5>") && $0.contains("received SIGTERM") }, "notice is 5: \(lines)")
    }

    @Test func anInheritedStreamThatIsNotStandardErrorLeavesLinesUnmarked() async throws {
        // A child of a service, its standard error sent to a file: the
        // variable names the service's stream, not this file.
        let lines = try await watchLines { _ in "1:1" }
        #expect(lines.contains { $0.hasSuffix("watching") })
        for line in lines {
            #expect(!line.hasPrefix("<"), "\(line)")
        }
    }

    @Test func aFatalErrorIsMarkedAsAnError() async throws {
        let directory = TemporaryDirectory()
        let errors = try ErrorFile(directory.appending("stderr"))
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NACHET_") }
        environment["JOURNAL_STREAM"] = errors.streamValue
        let process = try SpawnedProcess(
            CommandLineTests.executable, ["sync", "--state-dir", directory.appending("state"), directory.appending("nowhere")],
            environment: environment, error: .file(errors.path))
        try await process.exit(within: .seconds(300))
        #expect(process.terminationStatus == 3)
        #expect(errors.lines.contains { $0.hasPrefix("<3>nachet-sync: error: ") && $0.contains("no such folder") }, "\(errors.lines)")
    }
}
