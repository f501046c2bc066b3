import CoreMetrics
import Foundation
import NachetSync
import Synchronization

/// What `serve` counts and measures, recorded through swift-metrics: the
/// server only records; the executable chooses the backend (Prometheus,
/// served by `serve --metrics-listen`). Without a backend every record is
/// dropped at no cost.
///
/// Names and labels are fixed here and listed in docs/fleet.md with
/// alert rules. Labels take few values: a route as the router matched it
/// (`NotFound` for any other path, so a scan of random paths makes no new
/// series), a status code, a datastore error code, a PC's token name (the
/// tokens file bounds them).
package final class ServeMetrics: Sendable {
    private let factory: any MetricsFactory
    private let requests: LabelledMetrics<Counter>
    private let bytesIn: LabelledMetrics<Counter>
    private let bytesOut: LabelledMetrics<Counter>
    private let durations: LabelledMetrics<CoreMetrics.Timer>
    private let picturesStored: Counter
    private let picturesAlreadyThere: Counter
    private let bytesStored: Counter
    private let datastoreFailures: LabelledMetrics<Counter>
    private let connections: Gauge
    private let spoolFiles: Gauge
    private let spoolBytes: Gauge
    private let spool = Mutex<(files: Int, bytes: Int64)>((0, 0))
    /// The per-PC gauges and the count of PCs by state.
    let fleet: FleetGauges
    /// The datastore calls' durations (`nachet_sync_catalogue_seconds`,
    /// `nachet_sync_blob_store_seconds`), as the agent measures its own.
    let datastore: AgentMetrics

    /// Metrics made by `factory` (swift-metrics' bootstrapped backend by default).
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        requests = LabelledMetrics { Counter(label: "nachet_sync_serve_requests_total", dimensions: $0, factory: factory) }
        bytesIn = LabelledMetrics { Counter(label: "nachet_sync_serve_request_bytes_total", dimensions: $0, factory: factory) }
        bytesOut = LabelledMetrics { Counter(label: "nachet_sync_serve_response_bytes_total", dimensions: $0, factory: factory) }
        durations = LabelledMetrics {
            CoreMetrics.Timer(label: "nachet_sync_serve_request_duration_seconds", dimensions: $0, factory: factory)
        }
        picturesStored = Counter(label: "nachet_sync_serve_pictures_stored_total", factory: factory)
        picturesAlreadyThere = Counter(label: "nachet_sync_serve_pictures_already_there_total", factory: factory)
        bytesStored = Counter(label: "nachet_sync_serve_bytes_stored_total", factory: factory)
        datastoreFailures = LabelledMetrics {
            Counter(label: "nachet_sync_serve_datastore_failures_total", dimensions: $0, factory: factory)
        }
        connections = Gauge(label: "nachet_sync_serve_connections_open", factory: factory)
        spoolFiles = Gauge(label: "nachet_sync_serve_spool_files", factory: factory)
        spoolBytes = Gauge(label: "nachet_sync_serve_spool_bytes", factory: factory)
        fleet = FleetGauges(factory: factory)
        datastore = AgentMetrics(factory: factory)
        connections.record(0)
        spoolFiles.record(0)
        spoolBytes.record(0)
    }

    /// Metrics that record nothing.
    package static var disabled: ServeMetrics { ServeMetrics(factory: NOOPMetricsHandler.instance) }

    /// A request was answered.
    func answered(route: String, status: Int, bytesIn read: Int64, bytesOut written: Int?, duration: Duration) {
        requests.metric([("route", route), ("status", String(status))]).increment()
        bytesIn.metric([("route", route)]).increment(by: read)
        if let written { bytesOut.metric([("route", route)]).increment(by: Int64(written)) }
        let (seconds, attoseconds) = duration.components
        durations.metric([("route", route)]).recordNanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// An upload stored a picture (`isNew`), or found its bytes in the set.
    func stored(_ upload: ExchangeRecord.StoredUpload) {
        if upload.isNew {
            picturesStored.increment()
            bytesStored.increment(by: upload.bytes)
        } else {
            picturesAlreadyThere.increment()
        }
    }

    /// The catalogue or blob store failed a request (the code it was answered with).
    func datastoreFailed(_ code: NachetWire.ErrorCode) {
        datastoreFailures.metric([("code", code.name)]).increment()
    }

    /// How many connections are open now (recorded as they open and close,
    /// under the lock of the table counting them).
    func connectionsOpen(_ count: Int) {
        connections.record(count)
    }

    /// A spool file was made or grew (positive), or was removed (negative).
    func spooled(files: Int, bytes: Int64) {
        spool.withLock { spool in
            spool.files += files
            spool.bytes += bytes
            // Under the lock, so two changes never leave the older totals last.
            spoolFiles.record(spool.files)
            spoolBytes.record(spool.bytes)
        }
    }
}
