import Foundation
import Logging
import Metrics
import NachetSync
import NachetSyncServer
import Prometheus

/// Prometheus for `watch` and `serve` (`--metrics-listen`, or
/// `NACHET_SYNC_METRICS_LISTEN`): swift-metrics bootstrapped with a
/// registry (once: it lasts the process, across reloads), which an endpoint
/// of the process's lifecycle serves.
enum PrometheusMetrics {
    /// The endpoint `flag`, else the setting, asks for, swift-metrics
    /// recording into its registry from now on; `nil` when neither asks.
    static func endpoint(flag: String?, _ settings: Settings, logger: Logger) throws -> MetricsEndpoint? {
        guard let text = flag ?? settings[.metricsListen] else { return nil }
        guard let address = MetricsListenAddress(parsing: text) else {
            throw AgentExit.cannotRun("\(Setting.metricsListen.variable)=\(text): expected \(MetricsListenAddress.expectation)")
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return MetricsEndpoint(at: address, registry: registry, logger: logger)
    }

    /// Says where `endpoint` serves once it listens, or why it cannot.
    static func announce(_ endpoint: MetricsEndpoint, whileRunning group: Task<Void, any Error>, logger: Logger) async throws {
        do {
            let bound = try await endpoint.boundAddress(whileRunning: group)
            logger.notice("serving metrics at http://\(bound)/metrics", metadata: ["metrics": "\(bound)"])
        } catch let exit as AgentExit {
            throw exit
        } catch {
            throw AgentExit.cannotRun(
                "cannot serve metrics at \(endpoint.address) (\(ErrorWording.words(for: error))); choose a free port and an address of this PC with --metrics-listen or \(Setting.metricsListen.variable)"
            )
        }
    }
}
