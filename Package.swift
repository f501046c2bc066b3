// swift-tools-version:6.0
import Foundation
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "nachet-sync",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "nachet-sync", targets: ["nachet-sync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        // `nachet-sync serve`: the HTTP server and its TLS (why Hummingbird:
        // Sources/NachetSyncServer/NachetServer.swift).
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.0"),
        // HTTP parts as swift-http-types (NIOHTTPTypes), which Hummingbird's
        // pipeline carries: serve's connection handlers read them.
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLibpq", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .target(name: "CNachetShims"),
        .target(
            name: "NachetSync",
            dependencies: [
                "CSQLite",
                "COpenSSL",
                "CLibpq",
                "CNachetShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                // The agent's API client verifies the server's certificate.
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strictSettings
        ),
        // The HTTP service (`nachet-sync serve`): Nachet's batch-import routes
        // over the engine's catalogue and blob store. A target of its own so
        // that the engine library stays free of the server framework.
        .target(
            name: "NachetSyncServer",
            dependencies: [
                "NachetSync",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // `--metrics-listen` of watch and serve (Lifecycle/MetricsEndpoint.swift).
                .product(name: "Prometheus", package: "swift-prometheus"),
                // serve's metrics are recorded through swift-metrics.
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "nachet-sync",
            dependencies: [
                "NachetSync",
                "NachetSyncServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // swift-metrics bootstrapped with Prometheus's registry, which
                // the server target's metrics endpoint serves (the library
                // records metrics through swift-metrics and serves nothing).
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .target(
            name: "NachetSyncTestSupport",
            dependencies: [
                "NachetSync",
                // The destination contract suite runs the engine through a real `serve`.
                "NachetSyncServer",
                "COpenSSL",
                "CNachetShims",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            path: "Tests/Support",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "nachet-sync-benchmark",
            dependencies: [
                "NachetSync", "NachetSyncServer", "NachetSyncTestSupport",
                // The fleet's case speaks to serve as many lab PCs at once.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Benchmarks/NachetSyncBenchmark",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "NachetSyncTests",
            dependencies: [
                "NachetSync",
                "NachetSyncTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Azure/signature-vectors.json"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "NachetSyncServerTests",
            dependencies: [
                "NachetSync",
                "NachetSyncServer",
                "NachetSyncTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                // A stand-in for Nachet's own backend (the legacy contract).
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // serve's metrics, read as Prometheus scrapes them.
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)

// Fuzzing (Tests/Fuzz/run-fuzzers.sh sets NACHET_SYNC_FUZZ=1 and builds in
// .build-fuzz with -sanitize=fuzzer): the package is then only the pure
// parsers — the image completeness checks and the metadata parser, compiled
// from their own folders as the NachetSync module — and one libFuzzer
// executable for each. Those parts depend on the standard library and
// Foundation alone, so a fuzz build takes seconds, and ordinary builds never
// see these targets.
if Context.environment["NACHET_SYNC_FUZZ"] == "1" {
    let fuzzSettings = strictSettings + [.unsafeFlags(["-parse-as-library"])]
    // UUIDText: the metadata's set ids are written with it.
    let fuzzedSources = ["Scan/ImageCompleteness", "Metadata", "Scan/UUIDText.swift"]
    // MetadataFile reads metadata.json through the engine's directory
    // handles; the fuzzers hand the parser bytes.
    let readsFiles = ["Metadata/MetadataFile.swift"]
    // Everything else in Sources/NachetSync, excluded so that SwiftPM does
    // not warn about files it does not build.
    let library = Context.packageDirectory + "/Sources/NachetSync"
    let otherSources = ((try? FileManager.default.subpathsOfDirectory(atPath: library)) ?? []).filter { path in
        path.hasSuffix(".swift") && (readsFiles.contains(path) || !fuzzedSources.contains { path == $0 || path.hasPrefix($0 + "/") })
    }
    package.dependencies = []
    package.products = []
    package.targets = [
        .target(
            name: "NachetSync",
            path: "Sources/NachetSync",
            exclude: otherSources,
            sources: fuzzedSources,
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "ImageCompletenessFuzzer",
            dependencies: ["NachetSync"],
            path: "Tests/Fuzz/ImageCompletenessFuzzer",
            swiftSettings: fuzzSettings
        ),
        .executableTarget(
            name: "MetadataFuzzer",
            dependencies: ["NachetSync"],
            path: "Tests/Fuzz/MetadataFuzzer",
            swiftSettings: fuzzSettings
        ),
    ]
}
