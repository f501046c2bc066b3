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
            let metrics: MetricsEndpoint?
            do {
                let configuration = try options.configuration(settings)
                let serverSettings = try serve.serverSettings(settings, stateDirectory: configuration.stateDirectory)
                try serverSettings.check()
                // The embedded catalogue and the spool live there, as with the agent.
                try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
                // Before the datastore: its metrics record into Prometheus from the start.
                metrics = try PrometheusMetrics.endpoint(flag: serve.metricsListen, settings, logger: logger)
                let datastore = ServerDatastore(
                    catalogue: try configuration.openCatalogue(), blobStore: try configuration.openBlobStore(logger: logger),
                    fleet: try configuration.openFleetStore())
                server = try NachetServer(settings: serverSettings, datastore: datastore, logger: logger)
            } catch {
                throw AgentExit.cannotRun(ErrorWording.words(for: error))
            }
            let systemd = SystemdNotifier()
            let tokens = server.tokens
            var lifecycle = ProcessLifecycle(systemd: systemd, logger: logger, stopNotice: "finishing the requests in flight, then stopping") {
                Self.reload(tokens, logger: logger)
            }
            let service: ServerService
            do {
                service = try server.makeService()
            } catch {
                throw AgentExit.cannotRun(ErrorWording.words(for: error))
            }
            lifecycle.maximumGracefulShutdownDuration = service.stopsWithin
            // The server last: a stop ends it first, the metrics after.
            let group = Task { try await lifecycle.run((metrics.map { [$0.service] } ?? []) + [service.service]) }
            if let metrics { try await PrometheusMetrics.announce(metrics, whileRunning: group, logger: logger) }
            let port: Int
            do {
                port = try await service.port(whileRunning: group)
            } catch {
                throw AgentExit.cannotRun(
                    "cannot listen on \(server.settings.host):\(server.settings.port): \(ErrorWording.words(for: error)); check --host and --port (another program may listen there)"
                )
            }
            let address = "\(service.scheme)://\(server.settings.host):\(port)"
            logger.notice(
                "serving Nachet's batch-import API",
                metadata: [
                    "address": "\(address)", "port": "\(port)",
                    "datastore": "\(server.datastore.catalogue.location), \(server.datastore.blobStore.location)",
                    "authentication": "\(tokens.map { "\($0.count) tokens from \($0.path)" } ?? "none (--insecure-dev-no-auth)")",
                ]
            )
            if let tokens {
                for warning in tokens.warnings { logger.warning("\(warning)", metadata: ["file": "\(tokens.path)"]) }
            }
            systemd.ready(status: "serving on \(address)")
            do {
                try await group.value
            } catch {
                throw AgentExit.cannotRun("the server stopped: \(ErrorWording.words(for: error))")
            }
            await server.datastore.close()
            logger.notice("stopped")
        }
    }

    /// SIGHUP: reads the tokens file again; one with a mistake is refused
    /// and the tokens in use kept, said in the log.
    static func reload(_ tokens: TokenRegistry?, logger: Logger) {
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
}
