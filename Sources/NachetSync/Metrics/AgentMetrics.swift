import CoreMetrics
import Foundation
import Synchronization

/// What the agent counts and measures, recorded through swift-metrics: the
/// library only records; the executable chooses the backend (Prometheus,
/// served by `watch --metrics-listen`). Without a backend every record is
/// dropped at no cost.
///
/// Names and labels are fixed here (listed in docs/operating.md with an alert
/// rule); labels take a few fixed values only, never paths or messages.
package struct AgentMetrics: Sendable {
    /// Pictures stored: new picture rows with their blob.
    let picturesStored: Counter
    /// Bytes of those pictures.
    let bytesStored: Counter
    /// Failures of files, folders and passes, by ``FailureReason``.
    let failures: [FailureReason: Counter]
    /// inotify event queue overflows (each followed by a rescan).
    let inotifyOverflows: Counter
    /// Full scans of every folder (at start, every rescan interval, after an
    /// overflow or a missing drop folder's return).
    let rescans: Counter
    /// The time of the last picture stored, in seconds since 1970; 0 before.
    let lastUpload: Gauge
    /// Pictures being read, recorded or uploaded now.
    let picturesInFlight: Gauge
    /// Pictures of the current folder ready and waiting for a place in flight.
    let picturesWaiting: Gauge
    /// Catalogue and blob store calls' durations, by operation.
    let catalogueLatency: @Sendable (String) -> CoreMetrics.Timer
    let blobStoreLatency: @Sendable (String) -> CoreMetrics.Timer
    /// Where each set folder stands, behind the folder gauges.
    let folders: FolderTally

    /// Metrics made by `factory` (swift-metrics' bootstrapped backend by default).
    package init(factory: any MetricsFactory = MetricsSystem.factory) {
        picturesStored = Counter(label: "nachet_sync_pictures_stored_total", factory: factory)
        bytesStored = Counter(label: "nachet_sync_bytes_stored_total", factory: factory)
        failures = Dictionary(
            uniqueKeysWithValues: FailureReason.allCases.map {
                ($0, Counter(label: "nachet_sync_failures_total", dimensions: [("reason", $0.rawValue)], factory: factory))
            })
        inotifyOverflows = Counter(label: "nachet_sync_inotify_overflows_total", factory: factory)
        rescans = Counter(label: "nachet_sync_rescans_total", factory: factory)
        lastUpload = Gauge(label: "nachet_sync_last_upload_timestamp_seconds", factory: factory)
        picturesInFlight = Gauge(label: "nachet_sync_pictures_in_flight", factory: factory)
        picturesWaiting = Gauge(label: "nachet_sync_pictures_waiting", factory: factory)
        let catalogueTimers = LabelledMetrics { CoreMetrics.Timer(label: "nachet_sync_catalogue_seconds", dimensions: $0, factory: factory) }
        let blobStoreTimers = LabelledMetrics { CoreMetrics.Timer(label: "nachet_sync_blob_store_seconds", dimensions: $0, factory: factory) }
        catalogueLatency = { catalogueTimers.metric([("operation", $0)]) }
        blobStoreLatency = { blobStoreTimers.metric([("operation", $0)]) }
        folders = FolderTally(
            pending: Gauge(label: "nachet_sync_folders_pending", factory: factory),
            inError: Gauge(label: "nachet_sync_folders_in_error", factory: factory),
            filesPending: Gauge(label: "nachet_sync_files_pending", factory: factory)
        )
        lastUpload.record(0)
        picturesInFlight.record(0)
        picturesWaiting.record(0)
    }

    /// Metrics that record nothing.
    package static var disabled: AgentMetrics { AgentMetrics(factory: NOOPMetricsHandler.instance) }

    /// A picture of `bytes` bytes was stored as a new picture.
    func stored(bytes: Int64) {
        picturesStored.increment()
        bytesStored.increment(by: max(0, bytes))
        lastUpload.record(Date().timeIntervalSince1970)
    }

    /// Something failed for `reason`.
    package func failed(_ reason: FailureReason) {
        failures[reason]?.increment()
    }

    /// inotify's queue overflowed.
    func inotifyOverflowed() { inotifyOverflows.increment() }

    /// A full scan began.
    func rescanned() { rescans.increment() }

    /// Pictures in flight and waiting in the current folder's pass.
    func queue(inFlight: Int, waiting: Int) {
        picturesInFlight.record(inFlight)
        picturesWaiting.record(waiting)
    }

    /// Where a folder stands after a pass.
    func folderPassed(_ report: FolderReport) {
        folders.record(report)
    }

    /// Forgets folders no longer in any drop folder.
    func forgetFolders(except kept: Set<String>) {
        folders.forget(except: kept)
    }
}
