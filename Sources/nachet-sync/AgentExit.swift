import ArgumentParser
import Foundation
import Logging
import NachetSync

/// How the agent ends, with the exit codes documented in `--help` and the README.
enum AgentExit: Error {
    /// Some folders or files have errors; the rest was uploaded. Exit 2.
    case someErrors
    /// The agent could not run at all. Exit 3, after printing `message`.
    case cannotRun(String)

    static let someErrorsCode: Int32 = 2
    static let cannotRunCode: Int32 = 3
}

extension AgentExit {
    /// Prints the message (if any) to standard error and returns the exit code to use.
    /// Under journald the message carries the error priority, as log lines do.
    func report() -> ExitCode {
        switch self {
        case .someErrors:
            return ExitCode(Self.someErrorsCode)
        case .cannotRun(let message):
            let line = "nachet-sync: error: \(message)"
            let marked =
                JournalStream.standardErrorIsJournal
                ? JournalStream.marking(line, priority: Logger.Level.error.syslogPriority) : line
            FileHandle.standardError.writeUnlessClosed(marked + "\n")
            return ExitCode(Self.cannotRunCode)
        }
    }
}

/// Runs `body`, mapping ``AgentExit`` to its exit code.
func runAgent(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as AgentExit {
        throw exit.report()
    }
}
