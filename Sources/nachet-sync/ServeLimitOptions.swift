import ArgumentParser
import Foundation
import NachetSync
import NachetSyncServer

/// The limits `serve` puts on its clients (``ServerLimits``), each a flag
/// and a `NACHET_SYNC_SERVE_*` setting (``NumericSetting/serveLimits``).
struct ServeLimitOptions: ParsableArguments {
    @Option(
        name: .customLong("header-timeout"),
        help: ArgumentHelp(
            "Seconds a new connection has to send a whole request head (NACHET_SYNC_SERVE_HEADER_TIMEOUT; default 20).",
            valueName: "seconds"))
    var headerTimeout: Double?

    @Option(
        name: .customLong("keepalive-timeout"),
        help: ArgumentHelp(
            "Seconds a kept-alive connection may wait for its next request (NACHET_SYNC_SERVE_KEEPALIVE_TIMEOUT; default 75).",
            valueName: "seconds"))
    var keepAliveTimeout: Double?

    @Option(
        name: .customLong("min-rate"),
        help: ArgumentHelp(
            "The slowest average rate of a request body or an answer, in bytes per second; 0 for none (NACHET_SYNC_SERVE_MIN_RATE; default 1024).",
            valueName: "bytes"))
    var minimumRate: Int?

    @Option(
        name: .customLong("min-rate-window"),
        help: ArgumentHelp(
            "Seconds over which that rate is averaged (NACHET_SYNC_SERVE_MIN_RATE_WINDOW; default 30).", valueName: "seconds"))
    var rateWindow: Double?

    @Option(
        name: .customLong("max-connections"),
        help: ArgumentHelp("Connections open at once (NACHET_SYNC_SERVE_MAX_CONNECTIONS; default 512).", valueName: "count"))
    var maximumConnections: Int?

    @Option(
        name: .customLong("max-connections-per-address"),
        help: ArgumentHelp(
            "Connections open at once from one address, 127.0.0.1 and ::1 aside; 0 for no limit (NACHET_SYNC_SERVE_MAX_CONNECTIONS_PER_ADDRESS; default 64).",
            valueName: "count"))
    var maximumConnectionsPerAddress: Int?

    @Option(
        name: .customLong("drain-timeout"),
        help: ArgumentHelp(
            "Seconds the requests in flight have to finish on SIGTERM, before their connections are closed (NACHET_SYNC_SERVE_DRAIN_TIMEOUT; default 20).",
            valueName: "seconds"))
    var drainTimeout: Double?

    @Option(
        name: .customLong("json-memory"),
        help: ArgumentHelp(
            "MiB of JSON request bodies held at once, at least --max-content-length (NACHET_SYNC_SERVE_JSON_MEMORY; default 64).",
            valueName: "mib"))
    var jsonMemory: Int?

    @Option(
        name: .customLong("download-memory"),
        help: ArgumentHelp(
            "MiB of /get-picture answers read and encoded at once (NACHET_SYNC_SERVE_DOWNLOAD_MEMORY; default 32).", valueName: "mib"))
    var downloadMemory: Int?

    func validate() throws {
        let given: [(NumericSetting, Double?)] = [
            (.serveHeaderTimeout, headerTimeout), (.serveKeepAliveTimeout, keepAliveTimeout),
            (.serveMinimumRate, minimumRate.map(Double.init)), (.serveRateWindow, rateWindow),
            (.serveMaximumConnections, maximumConnections.map(Double.init)),
            (.serveMaximumConnectionsPerAddress, maximumConnectionsPerAddress.map(Double.init)),
            (.serveDrainTimeout, drainTimeout), (.serveJSONMemory, jsonMemory.map(Double.init)),
            (.serveDownloadMemory, downloadMemory.map(Double.init)),
        ]
        for (setting, value) in given {
            if let problem = value.flatMap(setting.flagProblem) { throw ValidationError(problem) }
        }
    }

    /// The limits these flags, else `settings`, else the defaults give.
    func limits(_ settings: Settings) throws -> ServerLimits {
        let defaults = ServerLimits()
        func duration(_ flag: Double?, _ setting: NumericSetting, _ fallback: Duration) throws -> Duration {
            guard let seconds = try flag ?? settings.seconds(setting.variable) else { return fallback }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        func count(_ flag: Int?, _ setting: NumericSetting, _ fallback: Int) throws -> Int {
            try flag ?? settings.count(setting.variable) ?? fallback
        }
        return ServerLimits(
            headerTimeout: try duration(headerTimeout, .serveHeaderTimeout, defaults.headerTimeout),
            keepAliveTimeout: try duration(keepAliveTimeout, .serveKeepAliveTimeout, defaults.keepAliveTimeout),
            minimumRate: try count(minimumRate, .serveMinimumRate, defaults.minimumRate),
            rateWindow: try duration(rateWindow, .serveRateWindow, defaults.rateWindow),
            maximumConnections: try count(maximumConnections, .serveMaximumConnections, defaults.maximumConnections),
            maximumConnectionsPerAddress: try count(
                maximumConnectionsPerAddress, .serveMaximumConnectionsPerAddress, defaults.maximumConnectionsPerAddress),
            drainTimeout: try duration(drainTimeout, .serveDrainTimeout, defaults.drainTimeout),
            jsonBodyMemory: try count(jsonMemory, .serveJSONMemory, defaults.jsonBodyMemory >> 20) << 20,
            downloadMemory: try count(downloadMemory, .serveDownloadMemory, defaults.downloadMemory >> 20) << 20
        )
    }
}
