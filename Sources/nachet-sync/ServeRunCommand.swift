import ArgumentParser
import Foundation
import Logging
import NachetSync
import NachetSyncServer

/// `nachet-sync serve [run]`: the server, until SIGTERM or SIGINT.
struct ServeRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the server until SIGTERM or SIGINT (the default of `serve`).",
        discussion: """
            Opens the catalogue and blob store as every command does, then answers Nachet's \
            routes. SIGTERM or SIGINT: no new connection is taken, the requests in flight \
            finish, then the server exits 0. SIGHUP: the tokens file is read again (a \
            revoked token is refused from then on); a file with a mistake is refused and \
            the tokens in use kept, said in the log.

            EXAMPLE
              nachet-sync serve token add --tokens-file /etc/nachet-sync/tokens lab-pc-3 tech@lab.example
              nachet-sync serve --config /etc/nachet-sync-serve.env --tokens-file /etc/nachet-sync/tokens
              nachet-sync serve --host 0.0.0.0 --port 8443 --tls-certificate cert.pem --tls-key key.pem --tokens-file tokens
              nachet-sync serve --insecure-dev-no-auth --port 8080     # 127.0.0.1 only, no token
            """
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup var serve: ServeOptions

    func run() async throws {
        try await runAgent {
            let settings = try options.settings()
            let logger = options.makeLogger(settings)
            let server: NachetServer
            do {
                let configuration = try options.configuration(settings)
                let serverSettings = try serve.serverSettings(settings, stateDirectory: configuration.stateDirectory)
                try serverSettings.check()
                // The embedded catalogue and the spool live there, as with the agent.
                try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
                let datastore = ServerDatastore(
                    catalogue: try configuration.openCatalogue(), blobStore: try configuration.openBlobStore(logger: logger))
                server = try NachetServer(settings: serverSettings, datastore: datastore, logger: logger)
            } catch {
                throw AgentExit.cannotRun(ErrorWording.words(for: error))
            }
            Self.raiseDescriptorLimit(logger: logger)
            let running: RunningServer
            do {
                running = try await server.start(stopOnSignals: true)
            } catch let error as ServerSettingsError {
                throw AgentExit.cannotRun("\(error)")
            } catch {
                throw AgentExit.cannotRun(
                    "cannot listen on \(server.settings.host):\(server.settings.port): \(ErrorWording.words(for: error)); check --host and --port (another program may listen there)"
                )
            }
            let address = "\(running.scheme)://\(server.settings.host):\(running.port)"
            logger.notice(
                "serving Nachet's batch-import API",
                metadata: [
                    "address": "\(address)", "port": "\(running.port)",
                    "datastore": "\(server.datastore.catalogue.location), \(server.datastore.blobStore.location)",
                    "authentication": "\(server.tokens.map { "\($0.count) tokens from \($0.path)" } ?? "none (--insecure-dev-no-auth)")",
                ]
            )
            if let tokens = server.tokens {
                for warning in tokens.warnings { logger.warning("\(warning)", metadata: ["file": "\(tokens.path)"]) }
            }
            let systemd = SystemdNotifier()
            // Before READY=1: from then on systemd may send SIGHUP (reload).
            let signals = ServeSignals(tokens: server.tokens, systemd: systemd, logger: logger)
            systemd.ready(status: "serving on \(address)")
            let watchdog = Task { await systemd.keepWatchdogFed() }
            defer {
                signals.cancel()
                watchdog.cancel()
            }
            do {
                try await running.wait()
            } catch {
                throw AgentExit.cannotRun("the server stopped: \(ErrorWording.words(for: error))")
            }
            if let postgres = server.datastore.catalogue as? PostgresCatalogue { await postgres.close() }
            logger.notice("stopped")
        }
    }
}

extension ServeRunCommand {
    /// Raises the soft descriptor limit to the hard one (systemd's soft
    /// limit is 1,024, too few for the connections `serve` takes), saying
    /// so in the log.
    static func raiseDescriptorLimit(logger: Logger) {
        switch DescriptorLimit.raiseToHardLimit() {
        case .unchanged(let limit):
            logger.debug("descriptor limit", metadata: ["descriptors": "\(limit.soft)"])
        case .raised(let before, let limit):
            logger.info("raised the descriptor limit to the hard limit", metadata: ["from": "\(before)", "descriptors": "\(limit.soft)"])
        case .refused(let limit, let reason):
            logger.warning(
                "cannot raise the descriptor limit (\(reason)); set LimitNOFILE= in the unit", metadata: ["descriptors": "\(limit.soft)"])
        }
    }
}

/// What the signals ask of a running server, besides the graceful stop
/// swift-service-lifecycle performs on SIGTERM and SIGINT: SIGHUP reads the
/// tokens file again; SIGTERM and SIGINT are said in the log and to systemd
/// (`STOPPING=1`) as the stop begins.
final class ServeSignals {
    private let sources: [any DispatchSourceSignal]

    init(tokens: TokenRegistry?, systemd: SystemdNotifier, logger: Logger) {
        signal(SIGHUP, SIG_IGN)
        let reload = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        reload.setEventHandler {
            guard let tokens else {
                logger.notice("received SIGHUP; no tokens file to read (--insecure-dev-no-auth)")
                return
            }
            do {
                let count = try tokens.reload()
                logger.notice("received SIGHUP; tokens file read again", metadata: ["tokens": "\(count)", "file": "\(tokens.path)"])
            } catch {
                logger.error("received SIGHUP; cannot use the tokens file, keeping the tokens in use: \(error)")
            }
            for warning in tokens.warnings { logger.warning("\(warning)", metadata: ["file": "\(tokens.path)"]) }
        }
        var sources = [reload]
        for (number, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")] {
            let stop = DispatchSource.makeSignalSource(signal: number, queue: .global())
            stop.setEventHandler {
                systemd.stopping()
                logger.notice("received \(name); finishing the requests in flight, then stopping")
            }
            sources.append(stop)
        }
        for source in sources { source.resume() }
        self.sources = sources
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
