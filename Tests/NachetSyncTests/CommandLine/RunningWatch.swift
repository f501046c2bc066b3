import Foundation
import Glibc
import NachetSyncTestSupport
import Synchronization

/// A `nachet-sync watch` running as systemd would run it: its standard
/// error in a file, its notifications (`READY=1`, `STATUS=`) on a socket
/// the test reads.
final class RunningWatch {
    let process: SpawnedProcess
    let errorPath: String
    private let notifications: DatagramListener
    private var received: [String] = []

    init(arguments: [String], environment: [String: String] = [:], directory: TemporaryDirectory) throws {
        errorPath = directory.appending("watch.stderr")
        let socketPath = directory.appending("notify-\(UUID().uuidString.prefix(8)).sock")
        notifications = try DatagramListener(path: socketPath)
        process = try SpawnedProcess(
            CommandLineTests.executable, ["watch"] + arguments,
            environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NACHET_") }
                .merging(environment) { $1 }
                .merging(["NOTIFY_SOCKET": socketPath]) { $1 },
            error: .file(errorPath))
    }

    /// Everything it logged so far.
    var log: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }

    /// Every notification so far, oldest first (read without waiting).
    var messages: [String] {
        while let message = notifications.receive(timeoutMilliseconds: 0) { received.append(message) }
        return received
    }

    /// The last `STATUS=` line sent.
    var status: String? {
        messages.reversed().lazy.compactMap { message in
            message.split(separator: "\n").first { $0.hasPrefix("STATUS=") }.map { String($0.dropFirst("STATUS=".count)) }
        }.first
    }

    /// Stops it as systemd would, and returns its exit status.
    func stop() async throws -> Int32 {
        try await process.stop()
    }
}
