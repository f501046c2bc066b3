import Logging
import NachetSync
import ServiceLifecycle

/// Runs a server service and bounds its graceful shutdown: once shutdown is
/// asked for (SIGTERM, SIGINT, ``RunningServer/stop()``), the server takes
/// no new connection and lets the requests in flight finish, for at most
/// ``ServerLimits/drainTimeout``; then the connections still open (a client
/// trickling an upload, one that does not read its answer) are closed, and
/// the log says how many. So the server always stops by itself, well before
/// systemd's `TimeoutStopSec` would kill it.
struct DrainDeadline<Server: Service>: Service, CustomStringConvertible {
    let server: Server
    let timeout: Duration
    let registry: ConnectionRegistry
    let logger: Logger

    /// How service-lifecycle's log lines name it.
    var description: String { "nachet-sync serve" }

    func run() async throws {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try await server.run()
                return true
            }
            group.addTask {
                do {
                    try await gracefulShutdown()
                    try await Task.sleep(for: timeout)
                } catch {
                    // Cancelled: the server ended first.
                    return false
                }
                let closed = registry.closeAll()
                if closed > 0 {
                    logger.warning(
                        "the requests in flight did not finish within \(ConnectionEvents.seconds(timeout)) s of the stop (\(NumericSetting.serveDrainTimeout.variable)): closing the \(closed) connections still open",
                        metadata: ["connections": "\(closed)"])
                }
                return false
            }
            while let serverEnded = try await group.next() {
                if serverEnded { group.cancelAll() }
            }
        }
    }
}
