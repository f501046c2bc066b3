import ArgumentParser
import Foundation
import NachetSync
import NachetSyncServer

/// The options of `serve` beyond the datastore's.
struct ServeOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("The address to listen on (\(Setting.serveHost.variable); default 127.0.0.1, this machine only).", valueName: "address")
    )
    var host: String?

    @Option(help: ArgumentHelp("The port (\(Setting.servePort.variable); default 8080).", valueName: "port"))
    var port: Int?

    @Option(
        name: .customLong("tokens-file"),
        help: ArgumentHelp(
            "The bearer tokens accepted: `NAME sha256:HASH EMAIL…` lines (\(Setting.serveTokensFile.variable)). SIGHUP reads it again.",
            valueName: "file"))
    var tokensFile: String?

    @Flag(
        name: .customLong("insecure-dev-no-auth"),
        help: "Ask no token (development, and Nachet's old clients): every request may act for every user. Loopback addresses only.")
    var insecureDevelopment = false

    @Option(
        name: .customLong("tls-certificate"),
        help: ArgumentHelp("Serve HTTPS with this certificate chain, a PEM file (\(Setting.serveTLSCertificate.variable)).", valueName: "file"))
    var tlsCertificate: String?

    @Option(
        name: .customLong("tls-key"),
        help: ArgumentHelp("The certificate's private key, a PEM file (\(Setting.serveTLSKey.variable)).", valueName: "file"))
    var tlsKey: String?

    @Option(
        name: .customLong("max-content-length"),
        help: ArgumentHelp(
            "The largest JSON request, in MiB (\(Setting.maximumContentLength.variable); default 16, Nachet's). /upload-picture-raw has no limit.",
            valueName: "mib"))
    var maximumContentLength: Int?

    @Option(
        name: .customLong("cors-origin"),
        help: ArgumentHelp(
            "An origin whose pages browsers may let call the routes, such as Nachet's web UI (https://nachet.lab.example); repeatable. Default: \(Setting.corsOrigins.variable) (',' between origins), else none.",
            valueName: "origin"))
    var corsOrigins: [String] = []

    @OptionGroup(title: "Limits on clients") var limits: ServeLimitOptions

    @Option(
        name: .customLong("metrics-listen"),
        help: ArgumentHelp(
            "Serve Prometheus metrics at http://HOST:PORT/metrics, such as 127.0.0.1:9465 (\(Setting.metricsListen.variable); default: not served).",
            valueName: "host:port"))
    var metricsListen: String?

    @Option(
        name: .customLong("fleet-quiet-after"),
        help: ArgumentHelp("Seconds a lab PC may go without a request before the fleet page calls it quiet (\(Setting.serveFleetQuietAfter.variable); default 600).", valueName: "seconds"))
    var fleetQuietAfter: Double?

    func validate() throws {
        if let metricsListen, MetricsListenAddress(parsing: metricsListen) == nil {
            throw ValidationError("--metrics-listen must be \(MetricsListenAddress.expectation)")
        }
        if let problem = fleetQuietAfter.flatMap(NumericSetting.serveFleetQuietAfter.flagProblem) { throw ValidationError(problem) }
    }

    /// The server settings these options, `settings` and the state directory give.
    func serverSettings(_ settings: Settings, stateDirectory: String) throws -> ServerSettings {
        let host = host ?? settings[.serveHost] ?? "127.0.0.1"
        let configuredPort = try settings.count(.servePort)
        let port = port ?? configuredPort ?? 8080
        let configuredLimit = try settings.count(.maximumContentLength)
        let limit = maximumContentLength ?? configuredLimit ?? (ServerSettings.defaultMaximumContentLength >> 20)
        guard limit >= 1 else { throw ConfigurationError("--max-content-length must be at least 1 (MiB)") }
        let tokens = tokensFile ?? settings[.serveTokensFile]
        let access: ServerSettings.Access
        switch (insecureDevelopment, tokens) {
        case (true, .some):
            throw ConfigurationError("--insecure-dev-no-auth asks no token, and a tokens file is given too: choose one")
        case (true, nil):
            access = .insecureDevelopment
        case (false, .some(let path)):
            access = .tokens(try TokenRegistry(path: AgentConfiguration.absolute(path)))
        case (false, nil):
            throw ConfigurationError(
                "serve needs --tokens-file (\(Setting.serveTokensFile.variable)); make one with `nachet-sync serve token add --tokens-file FILE NAME EMAIL`, or use --insecure-dev-no-auth on 127.0.0.1 for development"
            )
        }
        let certificate = tlsCertificate ?? settings[.serveTLSCertificate]
        let key = tlsKey ?? settings[.serveTLSKey]
        var tls: ServerSettings.TLSFiles?
        switch (certificate, key) {
        case (.some(let certificate), .some(let key)):
            tls = ServerSettings.TLSFiles(
                certificateChain: AgentConfiguration.absolute(certificate), privateKey: AgentConfiguration.absolute(key))
        case (nil, nil):
            tls = nil
        default:
            throw ConfigurationError("--tls-certificate and --tls-key go together: give both, or neither (plain HTTP behind a proxy)")
        }
        let origins =
            corsOrigins.isEmpty
            ? (settings[.corsOrigins]?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } ?? [])
            : corsOrigins
        if let wrong = origins.first(where: { !($0.hasPrefix("http://") || $0.hasPrefix("https://")) || $0.hasSuffix("/") }) {
            throw ConfigurationError(
                "the CORS origin \"\(wrong)\" must be a scheme and host, such as https://nachet.lab.example (no path, no '/' at the end)")
        }
        return ServerSettings(
            host: host,
            port: port,
            access: access,
            tls: tls,
            maximumContentLength: limit << 20,
            spoolDirectory: stateDirectory + "/serve-uploads",
            allowedOrigins: Set(origins),
            limits: try limits.limits(settings),
            fleetQuietAfter: try (fleetQuietAfter ?? settings.seconds(NumericSetting.serveFleetQuietAfter.variable)).map { .milliseconds(Int64($0 * 1000)) }
                ?? ServerSettings.defaultFleetQuietAfter
        )
    }
}
