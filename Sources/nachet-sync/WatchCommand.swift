import ArgumentParser
import Foundation
import Logging
import NachetSync
import NachetSyncServer

/// `nachet-sync watch DROP_DIR…`: the live agent.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch drop folders and upload images as they arrive, until stopped.",
        discussion: """
            Scans everything at start (what arrived while the agent was stopped), then \
            follows inotify events on each drop folder and every set folder. A file is taken \
            once it has not changed for the stability window. Every folder is also scanned \
            again every rescan interval, because network shares (SMB, NFS) deliver no \
            inotify events for files written by other machines.

            SIGINT or SIGTERM: the file being stored is finished, nothing new is started, \
            and the agent exits 0. SIGHUP: the same, then the configuration (--config file, \
            or the same flags and environment) is read again and watching resumes; a \
            configuration with a mistake is refused and the running one kept.

            A catalogue or blob store that cannot be reached is said at once, retried for \
            --give-up-after seconds, then said once as an error and tried again every 1 to 60 \
            s; systemd's STATUS= line shows it, and a missing drop folder, until it is over.

            --metrics-listen serves Prometheus metrics at http://HOST:PORT/metrics.

            EXAMPLE
              nachet-sync watch --stability-window 3 --rescan-interval 30 /srv/seed-drop
              nachet-sync watch --config /etc/nachet-sync/nachet-sync.env --status-file /srv/camera-1 /srv/camera-2
              nachet-sync watch --metrics-listen 127.0.0.1:9464 /srv/seed-drop
            """
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup(title: "Through Nachet's batch-import API") var api: APIOptions

    @Option(
        name: .customLong("stability-window"),
        help: ArgumentHelp(
            "Seconds a file must stay unchanged before it is taken, 0 to 3600 (\(Setting.stabilityWindow.variable); default 2).",
            valueName: "seconds"))
    var stabilityWindow: Double?

    @Option(
        name: .customLong("rescan-interval"),
        help: ArgumentHelp(
            "Seconds between full scans of every folder, 1 to 86400 (stat only; unchanged files are not read).",
            discussion:
                "Default: \(Setting.rescanInterval.variable), else 60, or 10 when a drop folder is on a network filesystem (CIFS/SMB, NFS, FUSE).",
            valueName: "seconds"
        )
    )
    var rescanInterval: Double?

    @Option(
        name: .customLong("metrics-listen"),
        help: ArgumentHelp(
            "Serve Prometheus metrics at http://HOST:PORT/metrics, such as 127.0.0.1:9464 (\(Setting.metricsListen.variable); default: not served).",
            discussion: "An address other than loopback shows the agent's counts to the network: keep it on 127.0.0.1 or behind a firewall.",
            valueName: "host:port"))
    var metricsListen: String?

    @Argument(
        help: ArgumentHelp(
            "Drop folders, each with one subfolder per picture set. Default: \(Setting.dropDirectories.variable) (':' between folders).",
            valueName: "drop-dir"
        )
    )
    var dropDirectories: [String] = []

    /// Refuses a window or interval out of range (`inf`, `nan`, `1e300`,
    /// negative) with exit code 64, before it becomes a `Duration`.
    func validate() throws {
        if let problem = stabilityWindow.flatMap(NumericSetting.stabilityWindow.flagProblem) { throw ValidationError(problem) }
        if let problem = rescanInterval.flatMap(NumericSetting.rescanInterval.flagProblem) { throw ValidationError(problem) }
        if let metricsListen, MetricsListenAddress(parsing: metricsListen) == nil {
            throw ValidationError("--metrics-listen must be \(MetricsListenAddress.expectation)")
        }
    }

    func run() async throws {
        try await runAgent {
            let settings = try options.settings()
            let logger = options.makeLogger(settings)
            let (metrics, endpoint) = try startMetrics(settings, logger: logger)
            let reloads = Wakeup()
            let systemd = SystemdNotifier()
            let watch = WatchService(command: self, settings: settings, metrics: metrics, reloads: reloads, systemd: systemd)
            let lifecycle = ProcessLifecycle(systemd: systemd, logger: logger, stopNotice: "finishing the current file and stopping") {
                logger.notice("received SIGHUP; finishing the current file, then reloading the configuration")
                reloads.signal()
            }
            // The watcher last: a stop ends it first, the metrics after.
            let group = Task { try await lifecycle.run((endpoint.map { [$0.service] } ?? []) + [watch]) }
            if let endpoint { try await PrometheusMetrics.announce(endpoint, whileRunning: group, logger: logger) }
            do {
                try await group.value
            } catch let exit as AgentExit {
                throw exit
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
        }
    }

    /// The Prometheus endpoint, when asked for (``PrometheusMetrics``).
    /// - Returns: What the engine records into, and the endpoint, if any.
    private func startMetrics(_ settings: Settings, logger: Logger) throws -> (AgentMetrics, MetricsEndpoint?) {
        let endpoint = try PrometheusMetrics.endpoint(flag: metricsListen, settings, logger: logger)
        return (endpoint == nil ? .disabled : AgentMetrics(), endpoint)
    }

    /// The agent and watcher `settings` and the flags give.
    func openSession(_ settings: Settings, metrics: AgentMetrics) throws -> WatchSession {
        let logger = options.makeLogger(settings)
        let listed =
            dropDirectories.isEmpty ? (settings[.dropDirectories]?.split(separator: ":").map(String.init) ?? []) : dropDirectories
        guard !listed.isEmpty else {
            throw AgentExit.cannotRun("no drop folder: name it (`nachet-sync watch /srv/seed-drop`) or set \(Setting.dropDirectories.variable)")
        }
        let (agent, drops) = try options.openAgent(settings, api: api, dropDirectories: listed, metrics: metrics, logger: logger)
        let configured: (window: Double?, interval: Double?)
        do {
            configured = (try settings.seconds(.stabilityWindow), try settings.seconds(.rescanInterval))
        } catch {
            throw AgentExit.cannotRun("\(error)")
        }
        let window = stabilityWindow ?? configured.window ?? 2
        // Both in range: flags are checked by `validate()`, settings by `seconds`.
        let interval = rescanInterval ?? configured.interval
        var onNetwork = false
        for drop in drops {
            guard let fileSystem = FileSystemKind.of(drop), fileSystem.isNetwork else { continue }
            onNetwork = true
            logger.notice(
                "the drop folder is on a network filesystem: inotify does not see files other machines write there, so every folder is scanned every \(Int(interval ?? 10)) s",
                metadata: ["drop_folder": "\(drop)", "filesystem": "\(fileSystem)"]
            )
        }
        let watcher = DropFolderWatcher(
            dropDirectories: drops,
            engine: agent.engine,
            options: WatchOptions(
                stabilityWindow: .milliseconds(Int64(window * 1000)),
                rescanInterval: .milliseconds(Int64((interval ?? (onNetwork ? 10 : 60)) * 1000)),
                verifyInterval: agent.configuration.verifyInterval
            ),
            health: agent.health,
            logger: logger
        )
        return WatchSession(agent: agent, watcher: watcher, logger: logger)
    }
}

/// One run of the live agent, between start, reloads and stop.
struct WatchSession: Sendable {
    var agent: Agent
    var watcher: DropFolderWatcher
    var logger: Logger

    /// Logs a pass that stored or found something.
    @Sendable func logPass(_ report: FolderReport) {
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
