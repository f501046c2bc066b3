import ArgumentParser
import Foundation
import Logging
import NachetSync

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .customLong("state-dir"),
        help: ArgumentHelp(
            "Where the state file (and the embedded catalogue and blobs) live; on the PC's own disk, never in the drop folder.",
            discussion: "Default: $XDG_STATE_HOME/nachet-sync (~/.local/state/nachet-sync), or /var/lib/nachet-sync as root.",
            valueName: "dir"
        )
    )
    var stateDirectory: String?

    @Option(
        help: ArgumentHelp(
            "Where rows go: postgresql://… (or any libpq connection string), or an SQLite file path.",
            discussion: "Default: NACHET_DB_URL, else catalogue.sqlite in the state directory.",
            valueName: "location"
        )
    )
    var catalogue: String?

    @Option(help: ArgumentHelp("PostgreSQL schema holding Nachet's tables. Default: NACHET_SCHEMA.", valueName: "name"))
    var schema: String?

    @Option(
        name: .customLong("blob-store"),
        help: ArgumentHelp(
            "Where image bytes go: an Azure connection string or blob URL with a SAS, or a folder.",
            discussion: "Default: NACHET_STORAGE_URL, else NACHET_BLOB_ACCOUNT + NACHET_BLOB_KEY, else blobs/ in the state directory.",
            valueName: "location"
        )
    )
    var blobStore: String?

    @Option(name: .customLong("parallel-uploads"), help: ArgumentHelp("Files of a folder stored at the same time.", valueName: "n"))
    var parallelUploads = 4

    @Flag(help: "Read each new Azure blob back and compare its SHA-256 before the picture counts as stored.")
    var verify = false

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    @Option(name: .customLong("log-format"), help: "text or json (one object a line, for journald or a log shipper).")
    var logFormat: LogFormat = .text

    /// The configuration these options and the environment give.
    func configuration() throws -> AgentConfiguration {
        var configuration = try AgentConfiguration.resolve(
            stateDirectory: stateDirectory,
            catalogue: catalogue,
            schema: schema,
            blobStore: blobStore
        )
        configuration.parallelUploads = max(1, parallelUploads)
        configuration.azureUploads.verifyByReadingBack = verify
        return configuration
    }

    /// A logger writing to standard error in the chosen format.
    func makeLogger() -> Logger {
        let format = logFormat
        let level = logLevel
        return Logger(label: "nachet-sync") { label in AgentLogHandler(label: label, format: format, level: level) }
    }

    /// Opens the agent, turning a failure into exit code 3 with its message.
    func openAgent(logger: Logger) throws -> Agent {
        do {
            return try Agent(configuration: try configuration(), logger: logger)
        } catch {
            throw AgentExit.cannotRun("\(error)")
        }
    }

    /// Opens the agent for the drop folder `path`, refusing a drop folder
    /// that holds the agent's own files.
    /// - Returns: The agent and the drop folder's absolute path.
    func openAgent(dropDirectory path: String, logger: Logger) throws -> (Agent, String) {
        let agent = try openAgent(logger: logger)
        let drop = AgentConfiguration.absolute(path)
        do {
            try agent.configuration.checkDropDirectory(drop)
        } catch {
            throw AgentExit.cannotRun("\(error)")
        }
        return (agent, drop)
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}
