import ArgumentParser
import Foundation
import Logging
import NachetSync

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: ArgumentHelp(
            "A file of NACHET_* settings (KEY=value lines, as a systemd EnvironmentFile); `watch` reads it again on SIGHUP.",
            discussion: "Default: \(Setting.configFile.variable). Flags win over the file, the file over the environment.",
            valueName: "file"
        )
    )
    var configFile: String?

    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "Where the state file (and the embedded catalogue and blobs) live; on the PC's own disk, never in the drop folder.",
            discussion:
                "Default: \(Setting.stateDirectory.variable), else $XDG_STATE_HOME/nachet-sync (~/.local/state/nachet-sync), or /var/lib/nachet-sync as root.",
            valueName: "dir"
        )
    )
    var stateDirectory: String?

    @Option(
        help: ArgumentHelp(
            "Where rows go: postgresql://… (or any libpq key=value string), or an SQLite file path.",
            discussion:
                "Default: \(Setting.catalogue.variable), else catalogue.sqlite in the state directory. A password given here is visible to every user in `ps`: prefer \(Setting.catalogue.variable) in a --config file (mode 0600), PGPASSWORD or ~/.pgpass.",
            valueName: "location"
        )
    )
    var catalogue: String?

    @Option(help: ArgumentHelp("PostgreSQL schema holding Nachet's tables. Default: \(Setting.schema.variable).", valueName: "name"))
    var schema: String?

    @Option(
        name: .customLong("blob-store"),
        help: ArgumentHelp(
            "Where image bytes go: an Azure connection string or blob URL with a SAS, or a folder.",
            discussion:
                "Default: \(Setting.blobStore.variable), else \(Setting.blobAccount.variable) + \(Setting.blobKey.variable), else blobs/ in the state directory. A key or SAS given here is visible to every user in `ps`: prefer the --config file (mode 0600).",
            valueName: "location"
        )
    )
    var blobStore: String?

    @Option(
        name: .customLong("parallel-uploads"),
        help: ArgumentHelp(
            "Pictures in flight at once: read, recorded and uploaded, 1 to 256 (\(Setting.parallelUploads.variable)). By default it starts at 32 and follows the network: twice the pictures the path to the datastore holds (its round trip times its throughput), from 16 to 256; the memory small files hold is bounded anyway.",
            valueName: "n"))
    var parallelUploads: Int?

    @Option(
        name: .customLong("ready-marker"),
        help: ArgumentHelp(
            "Take a set folder only once a file of this name (e.g. READY) is in it, for copy tools that cannot be trusted.",
            discussion: "Default: \(Setting.readyMarker.variable); unset, a folder is taken as soon as it has a metadata.json.",
            valueName: "name"
        )
    )
    var readyMarker: String?

    @Flag(
        name: .customLong("status-file"),
        inversion: .prefixedNo,
        help:
            "Write nachet-sync-status.txt (done / pending / failed, last error and fix) into each set folder. Default: \(Setting.statusFile.variable), else off."
    )
    var statusFile: Bool?

    @Flag(
        name: .customLong("follow-symlinks"),
        inversion: .prefixedNo,
        help:
            "Take images and set folders that are symbolic links. Default: \(Setting.followSymlinks.variable), else off: each link is reported and left alone, so a link cannot make the agent upload a file it was never given."
    )
    var followSymlinks: Bool?

    @Flag(help: "Read each new Azure blob back and compare its SHA-256 before the picture counts as stored.")
    var verify = false

    @Option(
        name: .customLong("verify-every"),
        help: ArgumentHelp(
            "Hours between checks of the datastore against the folders, 0 to 8760; 0 turns them off.",
            discussion: """
                Each set's blob folder is listed and its picture rows counted (one request each): what the \
                datastore lost is stored again from the files, the rest is reported by name with its fix. sync \
                checks the sets not checked within so many hours (a sync run every few minutes checks each set \
                once per interval); watch checks every set at start, then every so many hours, at most one round \
                a minute. Default: \(Setting.verifyEvery.variable), else 24.
                """,
            valueName: "hours"
        )
    )
    var verifyEvery: Double?

    @Option(
        name: .customLong("give-up-after"),
        help: ArgumentHelp(
            "Seconds an unreachable catalogue or blob store is retried, each failure said at once, before the agent gives up, 1 to 3600 (\(Setting.giveUpAfter.variable); default 60).",
            discussion:
                "Given up, `sync` stops with exit code 3 and the reason; `watch` says so, shows it in systemd's STATUS= line and tries again later. With --nachet-url, also the longest any wait for the API may last (a connection, sending, the answer's first byte and each next one).",
            valueName: "seconds"))
    var giveUpAfter: Double?

    @Option(
        name: .customLong("log-level"),
        help: "trace, debug, info, notice, warning, error or critical (\(Setting.logLevel.variable); default info).")
    var logLevel: Logger.Level?

    @Option(
        name: .customLong("log-format"),
        help: "text or json, one object a line for journald or a log shipper (\(Setting.logFormat.variable); default text).")
    var logFormat: LogFormat?

    /// Refuses `--parallel-uploads` or `--give-up-after` out of range with
    /// exit code 64.
    func validate() throws {
        if let problem = parallelUploads.flatMap({ NumericSetting.parallelUploads.flagProblem(Double($0)) }) {
            throw ValidationError(problem)
        }
        if let problem = verifyEvery.flatMap(NumericSetting.verifyEvery.flagProblem) { throw ValidationError(problem) }
        if let problem = giveUpAfter.flatMap(NumericSetting.giveUpAfter.flagProblem) { throw ValidationError(problem) }
    }

    /// The environment overlaid by the configuration file; exit 3 on a mistake in it.
    func settings() throws -> Settings {
        do {
            return try Settings.load(file: configFile)
        } catch {
            throw AgentExit.cannotRun("\(error)")
        }
    }

    /// The configuration these options and `settings` give.
    func configuration(_ settings: Settings) throws(ConfigurationError) -> AgentConfiguration {
        var configuration = try AgentConfiguration.resolve(
            stateDirectory: stateDirectory,
            catalogue: catalogue,
            schema: schema,
            blobStore: blobStore,
            environment: settings.values
        )
        let configuredUploads = try settings.count(.parallelUploads)
        configuration.parallelUploads = parallelUploads ?? configuredUploads ?? SyncEngine.defaultPicturesInFlight
        configuration.adaptsPicturesInFlight = parallelUploads == nil && configuredUploads == nil
        configuration.azureUploads.verifyByReadingBack = verify
        // In range: the flag is checked by `validate()`, the setting by `seconds`.
        let configuredGiveUp = try settings.seconds(NumericSetting.giveUpAfter.variable)
        if let seconds = giveUpAfter ?? configuredGiveUp { configuration.giveUpAfter = .milliseconds(Int64(seconds * 1000)) }
        configuration.readyMarker = readyMarker ?? settings[.readyMarker]
        if let marker = configuration.readyMarker, marker.contains("/") || marker == "." || marker == ".." {
            throw ConfigurationError("the ready marker \"\(marker)\" must be a plain file name, such as READY")
        }
        let configuredHours = try settings.seconds(NumericSetting.verifyEvery.variable)
        if let hours = verifyEvery ?? configuredHours {
            configuration.verifyInterval = VerificationSchedule.interval(hours: hours)
        }
        let configuredStatusFile = try settings.flag(.statusFile)
        configuration.writesStatusFiles = statusFile ?? configuredStatusFile ?? false
        let configuredFollowing = try settings.flag(.followSymlinks)
        configuration.followsSymlinks = followSymlinks ?? configuredFollowing ?? false
        if let level = settings[.logLevel], Logger.Level(rawValue: level) == nil {
            throw ConfigurationError("\(Setting.logLevel.variable)=\(level): expected trace, debug, info, notice, warning, error or critical")
        }
        if let format = settings[.logFormat], LogFormat(rawValue: format) == nil {
            throw ConfigurationError("\(Setting.logFormat.variable)=\(format): expected text or json")
        }
        return configuration
    }

    /// A logger writing to standard error in the chosen format; a mistake in
    /// the settings' level or format is reported when they are resolved.
    /// - Parameter keeping: A live progress line its lines must go above.
    func makeLogger(_ settings: Settings, keeping line: TerminalLine? = nil) -> Logger {
        let format = logFormat ?? settings[.logFormat].flatMap(LogFormat.init(rawValue:)) ?? .text
        let level = logLevel ?? settings[.logLevel].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return Logger(label: "nachet-sync") { label in
            let handler = AgentLogHandler(label: label, format: format, level: level)
            return line.map { LineKeepingLogHandler(handler: handler, line: $0) } ?? handler
        }
    }

    /// Warns when the configuration file holds a secret other users may
    /// read (at start, and at each reload of `watch`).
    func warnAboutExposedSecrets(_ settings: Settings, logger: Logger) {
        guard let exposure = settings.fileExposure else { return }
        logger.warning("\(exposure)", metadata: ["config": "\(exposure.file)"])
    }

    /// Opens the agent, turning a failure into exit code 3 with its message.
    /// - Parameters:
    ///   - api: The API options of a command that may upload through
    ///     Nachet's batch-import API.
    ///   - metrics: What the engine records (`watch --metrics-listen`).
    ///   - drops: Drop folders (absolute paths) checked before anything is
    ///     opened (``openAgent(_:api:dropDirectories:metrics:logger:)``).
    func openAgent(
        _ settings: Settings, api: APIOptions? = nil, checkingDropDirectories drops: [String] = [], metrics: AgentMetrics = .disabled,
        logger: Logger
    ) throws -> Agent {
        warnAboutExposedSecrets(settings, logger: logger)
        do {
            var configuration = try configuration(settings)
            configuration.api = try api?.endpoint(settings, logger: logger)
            if configuration.api != nil, catalogue != nil || blobStore != nil {
                throw ConfigurationError(
                    "--nachet-url sends pictures to the API, which writes the datastore itself: drop --catalogue and --blob-store")
            }
            // Before the agent opens anything: its state directory, embedded
            // catalogue and blob store are created when missing, and must not
            // be created inside a drop folder to be refused afterwards.
            for drop in drops { try configuration.checkDropDirectory(drop) }
            try AgentConfiguration.checkDropDirectoriesApart(drops)
            return try Agent(configuration: configuration, metrics: metrics, logger: logger)
        } catch {
            throw AgentExit.cannotRun("\(error)")
        }
    }

    /// Opens the agent for the drop folders `paths`, refusing, before
    /// anything is created, a drop folder that would hold the agent's own
    /// files or lies inside another.
    /// - Returns: The agent and the drop folders' absolute paths.
    func openAgent(
        _ settings: Settings, api: APIOptions? = nil, dropDirectories paths: [String], metrics: AgentMetrics = .disabled, logger: Logger
    ) throws -> (Agent, [String]) {
        let drops = paths.map(AgentConfiguration.absolute)
        return (try openAgent(settings, api: api, checkingDropDirectories: drops, metrics: metrics, logger: logger), drops)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
