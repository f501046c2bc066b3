import Foundation
import NachetSync

/// How `nachet-sync serve` listens and whom it lets in.
package struct ServerSettings: Sendable {
    /// Who may call the routes.
    package enum Access: Sendable {
        /// Requests need a bearer token the registry accepts.
        case tokens(TokenRegistry)
        /// No token is asked for (`--insecure-dev-no-auth`): allowed only on
        /// a loopback address, for development and Nachet's old clients.
        case insecureDevelopment
    }

    /// A certificate and key, PEM files, to serve HTTPS.
    package struct TLSFiles: Sendable, Equatable {
        /// The server's certificate, followed by its intermediates.
        package var certificateChain: String
        package var privateKey: String

        package init(certificateChain: String, privateKey: String) {
            self.certificateChain = certificateChain
            self.privateKey = privateKey
        }
    }

    /// The address to listen on; `127.0.0.1` by default (behind a reverse
    /// proxy on the same host), `0.0.0.0` for every interface.
    package var host: String
    /// The port; 0 picks a free one (the tests).
    package var port: Int
    package var access: Access
    /// HTTPS when given, else plain HTTP (behind a proxy that terminates TLS).
    package var tls: TLSFiles?
    /// The largest JSON request body, in bytes: `NACHET_MAX_CONTENT_LENGTH`
    /// MiB, 16 by default, as in Nachet's backend.
    package var maximumContentLength: Int
    /// Where uploads are written before they are stored.
    package var spoolDirectory: String
    /// Origins whose pages a browser may let call the routes (CORS), such
    /// as Nachet's web UI: `https://nachet.lab.example`. None by default.
    package var allowedOrigins: Set<String>
    /// The bounds on clients: time, rate, connections, memory.
    package var limits: ServerLimits
    /// How long a lab PC may go without a request before the fleet page
    /// calls it quiet (red with files waiting, else amber); agents report
    /// four times in that time, at most once a minute.
    package var fleetQuietAfter: Duration

    /// The default quiet time: 10 minutes.
    package static let defaultFleetQuietAfter = Duration.seconds(600)

    /// The default request limit: 16 MiB, Nachet's.
    package static let defaultMaximumContentLength = 16 << 20

    package init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        access: Access,
        tls: TLSFiles? = nil,
        maximumContentLength: Int = ServerSettings.defaultMaximumContentLength,
        spoolDirectory: String,
        allowedOrigins: Set<String> = [],
        limits: ServerLimits = ServerLimits(),
        fleetQuietAfter: Duration = ServerSettings.defaultFleetQuietAfter
    ) {
        self.host = host
        self.port = port
        self.access = access
        self.tls = tls
        self.maximumContentLength = maximumContentLength
        self.spoolDirectory = spoolDirectory
        self.allowedOrigins = allowedOrigins
        self.limits = limits
        self.fleetQuietAfter = fleetQuietAfter
    }

    /// Refuses settings that would expose the datastore: no token asked for
    /// on an address other machines can reach.
    package func check() throws(ServerSettingsError) {
        if case .insecureDevelopment = access, !Self.isLoopback(host) {
            throw ServerSettingsError(
                "--insecure-dev-no-auth serves every request without a token, so it listens on a loopback address only (127.0.0.1, ::1 or localhost), not \(host); give a --tokens-file to serve other machines"
            )
        }
        guard (0...65_535).contains(port) else { throw ServerSettingsError("the port \(port) is not one: use 1 to 65535") }
        guard maximumContentLength > 0 else { throw ServerSettingsError("the request limit must be at least 1 MiB") }
        guard limits.jsonBodyMemory >= maximumContentLength else {
            throw ServerSettingsError(
                "the memory for JSON bodies (\(NumericSetting.serveJSONMemory.flag), \(limits.jsonBodyMemory >> 20) MiB) must be at least the largest JSON request (--max-content-length, \(maximumContentLength >> 20) MiB), or such a request would wait for ever"
            )
        }
        guard fleetQuietAfter >= .seconds(1) else { throw ServerSettingsError("the fleet's quiet time must be at least 1 second") }
    }

    /// Whether `host` names this machine only.
    package static func isLoopback(_ host: String) -> Bool {
        LoopbackHost.contains(host)
    }
}

/// Server settings that cannot be used, with the fix.
package struct ServerSettingsError: Error, CustomStringConvertible, Sendable {
    package var message: String

    package init(_ message: String) {
        self.message = message
    }

    package var description: String { message }
}
