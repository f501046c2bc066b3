/// Every setting of nachet-sync, declared once: its environment and
/// `--config` file name, its flag, what it sets, whether it is a secret,
/// and for a number the values it accepts. The flags' help, the check of a
/// `--config` file, `doctor`'s report and the man page (built from the
/// flags' help) read these; nothing else names a `NACHET_*` variable.
extension Setting {
    package static let catalogue = Setting(
        "NACHET_DB_URL", flag: "--catalogue",
        "where rows go: a PostgreSQL URL or libpq string (default: the embedded SQLite catalogue)")
    package static let schema = Setting("NACHET_SCHEMA", flag: "--schema", "the PostgreSQL schema holding Nachet's tables")
    package static let blobStore = Setting(
        "NACHET_STORAGE_URL", flag: "--blob-store",
        "where bytes go: an Azure connection string or blob URL with a SAS")
    package static let blobAccount = Setting("NACHET_BLOB_ACCOUNT", flag: nil, "Azure storage account name (with NACHET_BLOB_KEY)")
    package static let blobKey = Setting(
        "NACHET_BLOB_KEY", flag: nil,
        "Azure storage account key (with NACHET_BLOB_ACCOUNT)", isSecret: true)
    package static let validExtensions = Setting("NACHET_VALID_EXTENSION", flag: nil, "JSON list of the image types taken")
    package static let stateDirectory = Setting("NACHET_SYNC_STATE_DIR", flag: "--state-dir", "where the state file lives")
    package static let dropDirectories = Setting("NACHET_SYNC_DROP_DIR", flag: nil, "the drop folder(s) `watch` serves, separated by ':'")
    package static let readyMarker = Setting(
        "NACHET_SYNC_READY_MARKER", flag: "--ready-marker",
        "take a set folder only once a file of this name is in it")
    package static let statusFile = Setting(
        "NACHET_SYNC_STATUS_FILE", flag: "--status-file",
        "write nachet-sync-status.txt into each set folder (true/false)")
    package static let followSymlinks = Setting(
        "NACHET_SYNC_FOLLOW_SYMLINKS", flag: "--follow-symlinks",
        "take images and set folders that are symbolic links (true/false; default false)")
    package static let metricsListen = Setting(
        "NACHET_SYNC_METRICS_LISTEN", flag: "--metrics-listen",
        "where `watch` or `serve` serves Prometheus metrics, HOST:PORT such as 127.0.0.1:9464 (default: not served)")
    package static let logLevel = Setting(
        "NACHET_SYNC_LOG_LEVEL", flag: "--log-level",
        "trace, debug, info, notice, warning, error or critical")
    package static let logFormat = Setting("NACHET_SYNC_LOG_FORMAT", flag: "--log-format", "text or json")
    package static let apiURL = Setting(
        "NACHET_SYNC_API_URL", flag: "--nachet-url",
        "upload through Nachet's batch-import API at this URL (nachet-sync serve, or Nachet's backend) instead of the datastore")
    package static let token = Setting(
        "NACHET_SYNC_TOKEN", flag: "--token",
        "the bearer token sent to the API (made by `nachet-sync serve token add`)", isSecret: true)
    package static let apiCertificateAuthorities = Setting(
        "NACHET_SYNC_API_CA_FILE", flag: "--nachet-ca-file",
        "a PEM file of certificate authorities trusted for the API's certificate, instead of the system's")
    package static let legacyAPI = Setting(
        "NACHET_SYNC_LEGACY_API", flag: "--legacy-api",
        "the API is Nachet's own backend: use its legacy routes (true/false; default: asked of the server)")
    package static let configFile = Setting("NACHET_SYNC_CONFIG", flag: "--config", "the configuration file itself (environment only)")
    package static let serveHost = Setting("NACHET_SYNC_SERVE_HOST", flag: "--host", "the address `serve` listens on (default 127.0.0.1)")
    package static let servePort = Setting("NACHET_SYNC_SERVE_PORT", flag: "--port", "the port `serve` listens on (default 8080)")
    package static let serveTokensFile = Setting(
        "NACHET_SYNC_SERVE_TOKENS_FILE", flag: "--tokens-file",
        "the bearer tokens `serve` accepts: NAME sha256:HASH EMAIL… lines")
    package static let serveTLSCertificate = Setting(
        "NACHET_SYNC_SERVE_TLS_CERTIFICATE", flag: "--tls-certificate",
        "`serve`'s TLS certificate chain, a PEM file")
    package static let serveTLSKey = Setting("NACHET_SYNC_SERVE_TLS_KEY", flag: "--tls-key", "`serve`'s TLS private key, a PEM file")
    package static let maximumContentLength = Setting(
        "NACHET_MAX_CONTENT_LENGTH", flag: "--max-content-length",
        "the largest JSON request `serve` takes, in MiB (Nachet's variable; default 16)")
    package static let corsOrigins = Setting(
        "NACHET_FRONTEND_PUBLIC_URL", flag: "--cors-origin",
        "origins whose pages browsers may let call `serve` (CORS), ',' between them (Nachet's variable)")
    package static let progressInterval = Setting(
        "NACHET_SYNC_PROGRESS_INTERVAL", flag: nil,
        "seconds between `sync`'s progress lines when they are not on a terminal (tests)")
    package static let stabilityWindow = Setting(
        "NACHET_SYNC_STABILITY_WINDOW", flag: "--stability-window",
        "seconds a file must stay unchanged before it is taken")
    package static let rescanInterval = Setting(
        "NACHET_SYNC_RESCAN_INTERVAL", flag: "--rescan-interval",
        "seconds between full scans of every folder")
    package static let parallelUploads = Setting(
        "NACHET_SYNC_PARALLEL_UPLOADS", flag: "--parallel-uploads",
        "files of a folder stored at the same time")
    package static let verifyEvery = Setting(
        "NACHET_SYNC_VERIFY_EVERY", flag: "--verify-every",
        "hours between checks of the datastore against the folders (also at start); 0 turns them off (default 24)")
    package static let giveUpAfter = Setting(
        "NACHET_SYNC_GIVE_UP_AFTER", flag: "--give-up-after",
        "seconds an unreachable catalogue or blob store is retried before the agent gives up, and the longest any wait for the API may last (default 60)"
    )
    package static let serveHeaderTimeout = Setting(
        "NACHET_SYNC_SERVE_HEADER_TIMEOUT", flag: "--header-timeout",
        "seconds a new connection to `serve` has to send a whole request head (default 20)")
    package static let serveKeepAliveTimeout = Setting(
        "NACHET_SYNC_SERVE_KEEPALIVE_TIMEOUT", flag: "--keepalive-timeout",
        "seconds a kept-alive connection to `serve` may wait for its next request (default 75)")
    package static let serveMinimumRate = Setting(
        "NACHET_SYNC_SERVE_MIN_RATE", flag: "--min-rate",
        "the slowest average rate of `serve`'s request bodies and answers, bytes/s (default 1024; 0: none)")
    package static let serveRateWindow = Setting(
        "NACHET_SYNC_SERVE_MIN_RATE_WINDOW", flag: "--min-rate-window",
        "seconds over which that rate is averaged (default 30)")
    package static let serveMaximumConnections = Setting(
        "NACHET_SYNC_SERVE_MAX_CONNECTIONS", flag: "--max-connections",
        "connections `serve` keeps open at once (default 512)")
    package static let serveMaximumConnectionsPerAddress = Setting(
        "NACHET_SYNC_SERVE_MAX_CONNECTIONS_PER_ADDRESS", flag: "--max-connections-per-address",
        "connections `serve` keeps open from one address, 127.0.0.1 and ::1 aside (default 64; 0: no limit)")
    package static let serveDrainTimeout = Setting(
        "NACHET_SYNC_SERVE_DRAIN_TIMEOUT", flag: "--drain-timeout",
        "seconds `serve`'s requests in flight have to finish when it stops, before their connections are closed (default 20)")
    package static let serveJSONMemory = Setting(
        "NACHET_SYNC_SERVE_JSON_MEMORY", flag: "--json-memory",
        "MiB of JSON request bodies `serve` holds at once, at least NACHET_MAX_CONTENT_LENGTH (default 64)")
    package static let serveDownloadMemory = Setting(
        "NACHET_SYNC_SERVE_DOWNLOAD_MEMORY", flag: "--download-memory",
        "MiB of /get-picture answers `serve` reads and encodes at once (default 32)")
    package static let serveFleetQuietAfter = Setting(
        "NACHET_SYNC_SERVE_FLEET_QUIET_AFTER", flag: "--fleet-quiet-after",
        "seconds a lab PC may go without a request before `serve`'s fleet page calls it quiet: red with files waiting, else amber (default 600)")

    /// Every setting, as `--config` files and `doctor` know them.
    package static let all: [Setting] = [
        .catalogue, .schema, .blobStore, .blobAccount, .blobKey, .validExtensions, .stateDirectory, .dropDirectories, .readyMarker,
        .statusFile, .followSymlinks, .metricsListen, .logLevel, .logFormat, .apiURL, .token, .apiCertificateAuthorities, .legacyAPI,
        .configFile, .serveHost, .servePort, .serveTokensFile, .serveTLSCertificate, .serveTLSKey, .maximumContentLength, .corsOrigins,
        .progressInterval, .stabilityWindow, .rescanInterval, .parallelUploads, .verifyEvery, .giveUpAfter, .serveHeaderTimeout,
        .serveKeepAliveTimeout, .serveMinimumRate, .serveRateWindow, .serveMaximumConnections, .serveMaximumConnectionsPerAddress,
        .serveDrainTimeout, .serveJSONMemory, .serveDownloadMemory, .serveFleetQuietAfter,
    ]
}

/// The numeric settings, with the values each accepts.
extension NumericSetting {
    /// Seconds a file must stay unchanged before it is taken: 0 (at once)
    /// to an hour.
    package static let stabilityWindow = NumericSetting(
        .stabilityWindow, range: 0...3_600, isWholeNumber: false,
        unit: "seconds", example: "2 or 0.5")
    /// Seconds between full scans: 1 to a day.
    package static let rescanInterval = NumericSetting(
        .rescanInterval, range: 1...86_400, isWholeNumber: false,
        unit: "seconds", example: "60")
    /// Pictures in flight at once: 1 to 256.
    package static let parallelUploads = NumericSetting(
        .parallelUploads, range: 1...256, isWholeNumber: true,
        unit: "pictures", example: "32")
    /// Hours between datastore checks (at start, then every so many hours
    /// in `watch`): 0 turns them off; at most a year.
    package static let verifyEvery = NumericSetting(
        .verifyEvery, range: 0...8_760, isWholeNumber: false,
        unit: "hours", example: "24, or 0 for never")
    /// Seconds a request to an unreachable catalogue or blob store is
    /// retried before the agent gives up: 1 to an hour.
    package static let giveUpAfter = NumericSetting(.giveUpAfter, range: 1...3_600, isWholeNumber: false, unit: "seconds", example: "60")
    /// Seconds a new connection has to send a whole request head.
    package static let serveHeaderTimeout = NumericSetting(
        .serveHeaderTimeout, range: 0.1...600, isWholeNumber: false,
        unit: "seconds", example: "20")
    /// Seconds a kept-alive connection may wait for its next request.
    package static let serveKeepAliveTimeout = NumericSetting(
        .serveKeepAliveTimeout, range: 0.1...3_600, isWholeNumber: false,
        unit: "seconds", example: "75")
    /// The slowest average rate of a request body or an answer, in bytes per second; 0: none.
    package static let serveMinimumRate = NumericSetting(
        .serveMinimumRate, range: 0...1_000_000_000, isWholeNumber: true,
        unit: "bytes per second", example: "1024, or 0 for none")
    /// Seconds over which the rate is averaged.
    package static let serveRateWindow = NumericSetting(
        .serveRateWindow, range: 0.1...3_600, isWholeNumber: false,
        unit: "seconds", example: "30")
    /// Connections open at once.
    package static let serveMaximumConnections = NumericSetting(
        .serveMaximumConnections, range: 1...1_000_000, isWholeNumber: true,
        unit: "connections", example: "512")
    /// Connections from one address at once; 0: no such limit.
    package static let serveMaximumConnectionsPerAddress = NumericSetting(
        .serveMaximumConnectionsPerAddress, range: 0...1_000_000, isWholeNumber: true,
        unit: "connections", example: "64, or 0 for none")
    /// Seconds the requests in flight have to finish when the server stops.
    package static let serveDrainTimeout = NumericSetting(
        .serveDrainTimeout, range: 0...3_600, isWholeNumber: false,
        unit: "seconds", example: "20")
    /// MiB of JSON request bodies held in memory at once.
    package static let serveJSONMemory = NumericSetting(.serveJSONMemory, range: 1...65_536, isWholeNumber: true, unit: "MiB", example: "64")
    /// MiB of `/get-picture` answers read and encoded at once.
    package static let serveDownloadMemory = NumericSetting(
        .serveDownloadMemory, range: 1...65_536, isWholeNumber: true,
        unit: "MiB", example: "32")
    /// Seconds a lab PC may go without a request before the fleet calls it
    /// quiet (docs/serve.md, "The fleet"): a second to a week.
    package static let serveFleetQuietAfter = NumericSetting(
        .serveFleetQuietAfter, range: 1...604_800, isWholeNumber: false,
        unit: "seconds", example: "600")

    /// The limits `serve` puts on its clients (docs/serve.md, "Limits on clients";
    /// `NachetSyncServer`'s `ServerLimits` argues each default).
    package static let serveLimits: [NumericSetting] = [
        .serveHeaderTimeout, .serveKeepAliveTimeout, .serveMinimumRate, .serveRateWindow, .serveMaximumConnections,
        .serveMaximumConnectionsPerAddress, .serveDrainTimeout, .serveJSONMemory, .serveDownloadMemory,
    ]

    /// Every numeric setting.
    package static let all: [NumericSetting] =
        [.stabilityWindow, .rescanInterval, .parallelUploads, .verifyEvery, .giveUpAfter] + serveLimits + [.serveFleetQuietAfter]
}
