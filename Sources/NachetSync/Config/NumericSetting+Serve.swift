/// The limits `serve` puts on its clients (the README's "Limits on clients"
/// and `NachetSyncServer`'s `ServerLimits`, which argues each default).
extension NumericSetting {
    /// Seconds a new connection has to send a whole request head.
    public static let serveHeaderTimeout = NumericSetting(
        variable: "NACHET_SYNC_SERVE_HEADER_TIMEOUT", flag: "--header-timeout", range: 0.1...600, isWholeNumber: false,
        unit: "seconds", example: "20", summary: "seconds a new connection to `serve` has to send a whole request head (default 20)")
    /// Seconds a kept-alive connection may wait for its next request.
    public static let serveKeepAliveTimeout = NumericSetting(
        variable: "NACHET_SYNC_SERVE_KEEPALIVE_TIMEOUT", flag: "--keepalive-timeout", range: 0.1...3_600, isWholeNumber: false,
        unit: "seconds", example: "75", summary: "seconds a kept-alive connection to `serve` may wait for its next request (default 75)")
    /// The slowest average rate of a request body or an answer, in bytes per second; 0: none.
    public static let serveMinimumRate = NumericSetting(
        variable: "NACHET_SYNC_SERVE_MIN_RATE", flag: "--min-rate", range: 0...1_000_000_000, isWholeNumber: true,
        unit: "bytes per second", example: "1024, or 0 for none",
        summary: "the slowest average rate of `serve`'s request bodies and answers, bytes/s (default 1024; 0: none)")
    /// Seconds over which the rate is averaged.
    public static let serveRateWindow = NumericSetting(
        variable: "NACHET_SYNC_SERVE_MIN_RATE_WINDOW", flag: "--min-rate-window", range: 0.1...3_600, isWholeNumber: false,
        unit: "seconds", example: "30", summary: "seconds over which that rate is averaged (default 30)")
    /// Connections open at once.
    public static let serveMaximumConnections = NumericSetting(
        variable: "NACHET_SYNC_SERVE_MAX_CONNECTIONS", flag: "--max-connections", range: 1...1_000_000, isWholeNumber: true,
        unit: "connections", example: "512", summary: "connections `serve` keeps open at once (default 512)")
    /// Connections from one address at once; 0: no such limit.
    public static let serveMaximumConnectionsPerAddress = NumericSetting(
        variable: "NACHET_SYNC_SERVE_MAX_CONNECTIONS_PER_ADDRESS", flag: "--max-connections-per-address", range: 0...1_000_000,
        isWholeNumber: true, unit: "connections", example: "64, or 0 for none",
        summary: "connections `serve` keeps open from one address, 127.0.0.1 and ::1 aside (default 64; 0: no limit)")
    /// Seconds the requests in flight have to finish when the server stops.
    public static let serveDrainTimeout = NumericSetting(
        variable: "NACHET_SYNC_SERVE_DRAIN_TIMEOUT", flag: "--drain-timeout", range: 0...3_600, isWholeNumber: false,
        unit: "seconds", example: "20",
        summary: "seconds `serve`'s requests in flight have to finish when it stops, before their connections are closed (default 20)")
    /// MiB of JSON request bodies held in memory at once.
    public static let serveJSONMemory = NumericSetting(
        variable: "NACHET_SYNC_SERVE_JSON_MEMORY", flag: "--json-memory", range: 1...65_536, isWholeNumber: true,
        unit: "MiB", example: "64",
        summary: "MiB of JSON request bodies `serve` holds at once, at least NACHET_MAX_CONTENT_LENGTH (default 64)")
    /// MiB of `/get-picture` answers read and encoded at once.
    public static let serveDownloadMemory = NumericSetting(
        variable: "NACHET_SYNC_SERVE_DOWNLOAD_MEMORY", flag: "--download-memory", range: 1...65_536, isWholeNumber: true,
        unit: "MiB", example: "32", summary: "MiB of /get-picture answers `serve` reads and encodes at once (default 32)")

    /// Every limit of `serve`.
    public static let serveLimits: [NumericSetting] = [
        .serveHeaderTimeout, .serveKeepAliveTimeout, .serveMinimumRate, .serveRateWindow, .serveMaximumConnections,
        .serveMaximumConnectionsPerAddress, .serveDrainTimeout, .serveJSONMemory, .serveDownloadMemory,
    ]
}
