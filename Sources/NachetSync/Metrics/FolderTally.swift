import CoreMetrics
import Foundation
import Synchronization

/// Where each set folder stands after its last pass, behind the gauges of
/// folders pending (waiting for `metadata.json` or the ready marker), in
/// error (metadata with mistakes, a set that cannot be prepared, files or
/// entries failed), and images not stored yet; and behind the report a
/// watching agent sends `serve` (``summary``).
final class FolderTally: Sendable {
    /// What one folder adds to the gauges.
    private struct Standing {
        var isPending: Bool
        var isInError: Bool
        /// Images not stored yet, whatever the reason (waiting to be whole
        /// or stable, their folder waiting or invalid, failed).
        var filesPending: Int
        /// The bytes of those waiting (failed ones aside).
        var bytesPending: Int64
        /// How the report to `serve` lists the folder, pending or in error.
        var listed: NachetWire.AgentReport.Folder?
    }

    /// Every folder's standing summed up, and the folders pending or in
    /// error, in error first, then by path.
    struct Summary: Sendable, Equatable {
        var foldersPending = 0
        var foldersInError = 0
        var filesPending = 0
        var bytesPending: Int64 = 0
        var listed: [NachetWire.AgentReport.Folder] = []
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
        let isPending = report.status == .pending
        let isInError = report.status == .invalid || report.status == .failed || report.hasErrors
        let filesPending = report.waiting + report.failures.count
        var listed: NachetWire.AgentReport.Folder?
        if isPending || isInError {
            let status = FolderStatus(report: report)
            listed = .init(
                path: report.path, status: status.status.rawValue, headline: status.headline, reason: report.lastProblem,
                files_waiting: filesPending)
        }
        let standing = Standing(
            isPending: isPending, isInError: isInError, filesPending: filesPending, bytesPending: report.bytesWaiting, listed: listed)
        update { $0[report.path] = standing }
    }

    /// Every folder summed up, and the first `listing` folders pending or
    /// in error (in error first).
    func summary(listing: Int) -> Summary {
        standings.withLock { Self.summary(of: $0, listing: listing) }
    }

    private static func summary(of standings: [String: Standing], listing: Int) -> Summary {
        var summary = Summary()
        var inError: [NachetWire.AgentReport.Folder] = []
        var pending: [NachetWire.AgentReport.Folder] = []
        for standing in standings.values {
            summary.foldersPending += standing.isPending ? 1 : 0
            summary.foldersInError += standing.isInError ? 1 : 0
            summary.filesPending += standing.filesPending
            summary.bytesPending += standing.bytesPending
            guard listing > 0, let listed = standing.listed else { continue }
            if standing.isInError { inError.append(listed) } else { pending.append(listed) }
        }
        summary.listed = Array((inError.sorted { $0.path < $1.path } + pending.sorted { $0.path < $1.path }).prefix(listing))
        return summary
    }

    func forget(except kept: Set<String>) {
        update { standings in standings = standings.filter { kept.contains($0.key) } }
    }

    private func update(_ change: (inout [String: Standing]) -> Void) {
        standings.withLock { standings in
            change(&standings)
            let totals = Self.summary(of: standings, listing: 0)
            // Recorded under the lock, so two passes ending together never
            // leave the older totals last.
            pending.record(totals.foldersPending)
            inError.record(totals.foldersInError)
            filesPending.record(totals.filesPending)
        }
    }
}
