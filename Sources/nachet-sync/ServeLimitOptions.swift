import ArgumentParser
import Foundation
import NachetSync
import NachetSyncServer

/// The limits `serve` puts on its clients (``ServerLimits``), each a flag
/// and a `NACHET_SYNC_SERVE_*` setting (``NumericSetting/serveLimits``).
struct ServeLimitOptions: ParsableArguments {
    @Option(name: flag(.serveHeaderTimeout), help: help(.serveHeaderTimeout, "seconds"))
    var headerTimeout: Double?

    @Option(name: flag(.serveKeepAliveTimeout), help: help(.serveKeepAliveTimeout, "seconds"))
    var keepAliveTimeout: Double?

    @Option(name: flag(.serveMinimumRate), help: help(.serveMinimumRate, "bytes"))
    var minimumRate: Int?

    @Option(name: flag(.serveRateWindow), help: help(.serveRateWindow, "seconds"))
    var rateWindow: Double?

    @Option(name: flag(.serveMaximumConnections), help: help(.serveMaximumConnections, "count"))
    var maximumConnections: Int?

    @Option(name: flag(.serveMaximumConnectionsPerAddress), help: help(.serveMaximumConnectionsPerAddress, "count"))
    var maximumConnectionsPerAddress: Int?

    @Option(name: flag(.serveDrainTimeout), help: help(.serveDrainTimeout, "seconds"))
    var drainTimeout: Double?

    @Option(name: flag(.serveJSONMemory), help: help(.serveJSONMemory, "mib"))
    var jsonMemory: Int?

    @Option(name: flag(.serveDownloadMemory), help: help(.serveDownloadMemory, "mib"))
    var downloadMemory: Int?

    /// The flag of `setting`, from the table of settings.
    private static func flag(_ setting: NumericSetting) -> NameSpecification {
        .customLong(String(setting.flag.dropFirst(2)))
    }

    /// `--help`'s text for `setting`: its summary and its variable.
    private static func help(_ setting: NumericSetting, _ valueName: String) -> ArgumentHelp {
        ArgumentHelp("\(setting.summary.prefix(1).uppercased() + setting.summary.dropFirst()) (\(setting.variable)).", valueName: valueName)
    }

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
