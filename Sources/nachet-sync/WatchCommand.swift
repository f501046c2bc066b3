import ArgumentParser
import Foundation
import Logging
import NachetSync

/// `nachet-sync watch DROP_DIR`: the live agent.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch the drop folder and upload images as they arrive, until stopped.",
        discussion: """
            Scans everything at start (what arrived while the agent was stopped), then \
            follows inotify events on the drop folder and every set folder. A file is taken \
            once it has not changed for the stability window. Every folder is also scanned \
            again every rescan interval, because network shares (SMB, NFS) deliver no \
            inotify events for files written by other machines.

            SIGINT or SIGTERM: the file being stored is finished, nothing new is started, \
            and the agent exits 0.

            EXAMPLE
              nachet-sync watch --stability-window 3 --rescan-interval 30 /srv/seed-drop
            """
    )

    @OptionGroup var options: GlobalOptions

    @Option(
        name: .customLong("stability-window"),
        help: ArgumentHelp("Seconds a file must stay unchanged before it is taken.", valueName: "seconds"))
    var stabilityWindow: Double = 2

    @Option(
        name: .customLong("rescan-interval"),
        help: ArgumentHelp(
            "Seconds between full scans of every folder (stat only; unchanged files are not read).",
            discussion: "Default: 60, or 10 when the drop folder is on a network filesystem (CIFS/SMB, NFS, FUSE).",
            valueName: "seconds"
        )
    )
    var rescanInterval: Double?

    @Argument(help: ArgumentHelp("The drop folder: one subfolder per picture set.", valueName: "drop-dir"))
    var dropDirectory: String

    func validate() throws {
        guard stabilityWindow >= 0 else { throw ValidationError("--stability-window must be 0 or more seconds") }
        guard (rescanInterval ?? 1) >= 1 else { throw ValidationError("--rescan-interval must be at least 1 second") }
    }

    func run() async throws {
        try await runAgent {
            let logger = options.makeLogger()
            let (agent, drop) = try options.openAgent(dropDirectory: dropDirectory, logger: logger)
            let fileSystem = FileSystemKind.of(drop)
            if let fileSystem, fileSystem.isNetwork {
                logger.notice(
                    "the drop folder is on a network filesystem: inotify does not see files other machines write there, so every folder is scanned every \(Int(rescanInterval ?? 10)) s",
                    metadata: ["filesystem": "\(fileSystem)"]
                )
            }
            let interval = rescanInterval ?? (fileSystem?.isNetwork == true ? 10 : 60)
            let watcher = DropFolderWatcher(
                dropDirectory: drop,
                engine: agent.engine,
                options: WatchOptions(
                    stabilityWindow: .milliseconds(Int64(stabilityWindow * 1000)),
                    rescanInterval: .milliseconds(Int64(interval * 1000))
                ),
                logger: logger
            )
            let task = Task {
                try await watcher.run { report in
                    guard report.uploaded > 0 || report.alreadyStored > 0 else { return }
                    logger.info(
                        "folder synced",
                        metadata: [
                            "folder": "\(report.path)", "uploaded": "\(report.uploaded)",
                            "already_there": "\(report.alreadyStored)", "failed": "\(report.failures.count)",
                        ]
                    )
                }
            }
            let signals = StopSignals { signal in
                logger.notice("received \(signal); finishing the current file and stopping")
                task.cancel()
            }
            defer { signals.cancel() }
            do {
                try await task.value
            } catch is CancellationError {
                // Stopped by a signal: a clean exit.
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
        }
    }
}
