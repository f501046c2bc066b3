import CoreMetrics
import Foundation
import Synchronization

/// Where each set folder stands after its last pass, behind the gauges of
/// folders pending (waiting for `metadata.json` or the ready marker), in
/// error (metadata with mistakes, a set that cannot be prepared, files or
/// entries failed), and images not stored yet.
final class FolderTally: Sendable {
    /// What one folder adds to the gauges.
    private struct Standing {
        var isPending: Bool
        var isInError: Bool
        /// Images not stored yet, whatever the reason (waiting to be whole
        /// or stable, their folder waiting or invalid, failed).
        var filesPending: Int
    }

    private let standings = Mutex<[String: Standing]>([:])
    private let pending: Gauge
    private let inError: Gauge
    private let filesPending: Gauge

    init(pending: Gauge, inError: Gauge, filesPending: Gauge) {
        self.pending = pending
        self.inError = inError
        self.filesPending = filesPending
        pending.record(0)
        inError.record(0)
        filesPending.record(0)
    }

    func record(_ report: FolderReport) {
        let standing = Standing(
            isPending: report.status == .pending,
            isInError: report.status == .invalid || report.status == .failed || report.hasErrors,
            filesPending: report.waiting + report.failures.count
        )
        update { $0[report.path] = standing }
    }

    func forget(except kept: Set<String>) {
        update { standings in standings = standings.filter { kept.contains($0.key) } }
    }

    private func update(_ change: (inout [String: Standing]) -> Void) {
        standings.withLock { standings in
            change(&standings)
            let totals = standings.values.reduce(into: (pending: 0, inError: 0, files: 0)) { totals, standing in
                totals.pending += standing.isPending ? 1 : 0
                totals.inError += standing.isInError ? 1 : 0
                totals.files += standing.filesPending
            }
            // Recorded under the lock, so two passes ending together never
            // leave the older totals last.
            pending.record(totals.pending)
            inError.record(totals.inError)
            filesPending.record(totals.files)
        }
    }
}
