import Logging
import NachetSync
import ServiceLifecycle
import UnixSignals

/// How `watch` and `serve` run as a service: their work under one
/// swift-service-lifecycle `ServiceGroup`, with what both need around it.
///
/// - **Signals**: SIGTERM and SIGINT stop the group gracefully (each
///   service in reverse order: the work first, which finishes what it is
///   doing); each is said in the log and to systemd (`STOPPING=1`) as it
///   comes. SIGHUP calls ``onReload``.
/// - **Watchdog**: systemd's watchdog is fed from a service of its own, all
///   along (during a long upload, a reload, the stop), when the unit asks.
/// - **Descriptors**: the soft limit is raised to the hard one as the
///   lifecycle is made, before any service is (systemd's soft limit, 1,024,
///   is too few for a server's connections or a watcher of many folders,
///   and the server sizes its connection caps from it).
package struct ProcessLifecycle: Sendable {
    package let systemd: SystemdNotifier
    package let logger: Logger
    /// Said after "received SIGTERM; " when a stop signal comes.
    package var stopNotice: String
    /// Called on SIGHUP (reload).
    package var onReload: @Sendable () -> Void
    /// How long the work may take to stop once asked, before it is cancelled.
    package var maximumGracefulShutdownDuration: Duration?

    package init(
        systemd: SystemdNotifier = SystemdNotifier(),
        logger: Logger,
        stopNotice: String,
        maximumGracefulShutdownDuration: Duration? = nil,
        onReload: @escaping @Sendable () -> Void
    ) {
        self.systemd = systemd
        self.logger = logger
        self.stopNotice = stopNotice
        self.maximumGracefulShutdownDuration = maximumGracefulShutdownDuration
        self.onReload = onReload
        DescriptorLimit.raiseToHardLimit(logger: logger)
    }

    /// Runs `services` (the work last: it is stopped first) until they end
    /// or a stop signal has them end; throws what the first to fail threw.
    package func run(_ services: [any Service]) async throws {
        let around: [any Service] = [
            SignalNotices(systemd: systemd, logger: logger, stopNotice: stopNotice, onReload: onReload), Watchdog(systemd: systemd),
        ]
        var configuration = ServiceGroupConfiguration(
            services: (around + services).map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = maximumGracefulShutdownDuration
        try await ServiceGroup(configuration: configuration).run()
    }
}

/// Says each stop signal as it comes (the log, systemd's `STOPPING=1`),
/// and turns SIGHUP into a reload; until the group stops.
struct SignalNotices: Service, CustomStringConvertible {
    let systemd: SystemdNotifier
    let logger: Logger
    let stopNotice: String
    let onReload: @Sendable () -> Void

    var description: String { "signals" }

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sigterm, .sigint, .sighup)
        await cancelWhenGracefulShutdown {
            for await signal in signals {
                if signal == .sighup {
                    onReload()
                } else {
                    systemd.stopping()
                    logger.notice("received \(signal); \(stopNotice)")
                }
            }
        }
    }
}

/// Feeds systemd's watchdog, when the unit asks for it, until the group stops.
struct Watchdog: Service, CustomStringConvertible {
    let systemd: SystemdNotifier

    var description: String { "systemd watchdog" }

    func run() async throws {
        guard systemd.watchdogInterval != nil else {
            // Nothing to feed: stays until the group stops, as every service
            // here must (one that ended would end the group).
            try? await gracefulShutdown()
            return
        }
        await cancelWhenGracefulShutdown { await systemd.keepWatchdogFed() }
    }
}
