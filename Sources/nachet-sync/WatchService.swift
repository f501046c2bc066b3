import Logging
import NachetSync
import NachetSyncServer
import ServiceLifecycle

/// `watch` as a service of the process's lifecycle: one session (the agent
/// and its watcher) after another, a new one at each reload, until the
/// process stops.
///
/// A stop lets the file being stored finish and starts nothing else. A
/// reload does the same, then reads the configuration again; one with a
/// mistake is refused and the running one kept. Every session's agent is
/// closed before the next opens (its state file, catalogue, connections).
struct WatchService: Service, CustomStringConvertible {
    let command: WatchCommand
    /// The settings the first session opens with.
    let settings: Settings
    let metrics: AgentMetrics
    /// Signalled on SIGHUP.
    let reloads: Wakeup
    let systemd: SystemdNotifier

    var description: String { "watch" }

    func run() async throws {
        var settings = settings
        var session = try command.openSession(settings, metrics: metrics)
        while try await watchUntilReload(session) {
            await session.agent.close()
            do {
                let reloaded = try command.options.settings()
                session = try command.openSession(reloaded, metrics: metrics)
                if command.metricsListen == nil, reloaded["NACHET_SYNC_METRICS_LISTEN"] != settings["NACHET_SYNC_METRICS_LISTEN"] {
                    session.logger.notice("NACHET_SYNC_METRICS_LISTEN changed; the metrics address changes at the next restart")
                }
                settings = reloaded
                session.logger.notice("configuration reloaded", metadata: ["config": "\(settings.file ?? "flags and environment")"])
            } catch {
                let reason = if case AgentExit.cannotRun(let message) = error { message } else { "\(error)" }
                session.logger.error("cannot reload the configuration; keeping the one running: \(reason)")
                session = try command.openSession(settings, metrics: metrics)
            }
        }
        await session.agent.close()
    }

    /// Runs the session's watcher until a reload is asked (`true`), or the
    /// process stops (`false`); either way the watcher has ended, the file
    /// it was storing finished.
    private func watchUntilReload(_ session: WatchSession) async throws -> Bool {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await cancelWhenGracefulShutdown {
                        try await session.watcher.run(systemd: systemd, onPass: session.logPass)
                    }
                } catch is CancellationError {
                    // Stopped or reloaded.
                }
                return false
            }
            group.addTask {
                await reloads.signalled()
                return !Task.isCancelled
            }
            let first = try await group.next() ?? false
            group.cancelAll()
            while try await group.next() != nil {}
            return first
        }
    }
}
