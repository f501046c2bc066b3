import Foundation

/// Where `serve` keeps its fleet: for each lab PC (each token's name), when
/// it was last seen, its last report, its last upload, and the pictures and
/// bytes stored each day. Two tables of serve's own in the catalogue's
/// database, created when missing; Nachet's tables are not touched.
///
/// In the catalogue's database, not a file of serve's: it survives
/// restarts, and two `serve` behind one load balancer, over one datastore,
/// see one fleet. Each writes what it learnt in batches
/// (``record(_:)``) that merge with what the other wrote: last-seen times
/// keep the latest, day counts add up, a report replaces only an older one.
///
/// Implementations: ``SQLiteFleetStore`` (the embedded catalogue's file)
/// and ``PostgresFleetStore`` (Nachet's database), each on a connection of
/// its own, so the fleet's writes never wait behind an upload's; both pass
/// one contract test suite.
package protocol FleetStore: Sendable {
    /// Where the tables are, for messages; never holds a password.
    var location: String { get }

    /// Creates the tables where missing.
    ///
    /// - Throws: ``CatalogueError`` naming the fix when they cannot be
    ///   made (no right to create a table in the schema).
    func prepare() async throws(CatalogueError)

    /// Merges what `serve` learnt of each PC, by name, in one transaction.
    func record(_ activity: [String: FleetActivity]) async throws(CatalogueError)

    /// Every PC ever seen, with the day counts from `firstDay` on.
    ///
    /// - Parameter reports: Whether each PC's last report is read whole;
    ///   else only its summary (a page of a thousand PCs reads no report).
    func machines(daysFrom firstDay: FleetDay, reports: Bool) async throws(CatalogueError) -> [FleetMachine]

    /// The PC named `name`, with its last report whole and its day counts
    /// from `firstDay` on; `nil` when never seen.
    func machine(named name: String, daysFrom firstDay: FleetDay) async throws(CatalogueError) -> FleetMachine?

    /// Forgets the day counts before `day`.
    func forgetDays(before day: FleetDay) async throws(CatalogueError)

    /// Closes the connection.
    func close() async
}

/// What one `serve` learnt of one PC since it last wrote to the store.
package struct FleetActivity: Sendable, Equatable {
    /// The last request the PC's token made.
    package var lastSeen: Date
    /// The last picture it stored (new, or already in its set).
    package var lastUpload: Date?
    /// Its last report, when one came.
    package var report: ReceivedReport?
    /// Pictures stored, by day.
    package var days: [FleetDay: FleetDayCount] = [:]

    package init(lastSeen: Date, lastUpload: Date? = nil, report: ReceivedReport? = nil, days: [FleetDay: FleetDayCount] = [:]) {
        self.lastSeen = lastSeen
        self.lastUpload = lastUpload
        self.report = report
        self.days = days
    }

    /// Both together: the latest times, the newer report, the counts added.
    package func merged(with later: FleetActivity) -> FleetActivity {
        var merged = self
        merged.lastSeen = max(lastSeen, later.lastSeen)
        merged.lastUpload = [lastUpload, later.lastUpload].compactMap { $0 }.max()
        if let report = later.report, report.receivedAt >= (self.report?.receivedAt ?? .distantPast) { merged.report = report }
        merged.days.merge(later.days) { $0.adding($1) }
        return merged
    }
}

/// A report, and when the server received it.
package struct ReceivedReport: Sendable, Equatable {
    package var receivedAt: Date
    package var report: NachetWire.AgentReport

    package init(receivedAt: Date, report: NachetWire.AgentReport) {
        self.receivedAt = receivedAt
        self.report = report
    }
}

/// A day, in UTC, as the store keys it: `2026-12-08`.
package struct FleetDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    package let text: String

    package init?(text: String) {
        guard text.utf8.count == 10,
            text.utf8.enumerated().allSatisfy({
                $0.offset == 4 || $0.offset == 7 ? $0.element == UInt8(ascii: "-") : (48...57).contains($0.element)
            })
        else {
            return nil
        }
        self.text = text
    }

    /// The day `date` falls on, in UTC.
    package init(_ date: Date) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        text = String(format: "%04d-%02d-%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday)
    }

    /// The day `days` before the day of `date`.
    package static func daysBefore(_ days: Int, _ date: Date) -> FleetDay {
        FleetDay(date.addingTimeInterval(-Double(days) * 86_400))
    }

    package static func < (lhs: FleetDay, rhs: FleetDay) -> Bool { lhs.text < rhs.text }

    package var description: String { text }
}

/// Pictures one PC stored on one day.
package struct FleetDayCount: Sendable, Equatable {
    /// New pictures.
    package var pictures: Int64
    /// Their bytes.
    package var bytes: Int64
    /// Pictures sent that their set held already (stored once, not twice).
    package var alreadyThere: Int64

    package init(pictures: Int64 = 0, bytes: Int64 = 0, alreadyThere: Int64 = 0) {
        self.pictures = pictures
        self.bytes = bytes
        self.alreadyThere = alreadyThere
    }

    package func adding(_ other: FleetDayCount) -> FleetDayCount {
        FleetDayCount(pictures: pictures + other.pictures, bytes: bytes + other.bytes, alreadyThere: alreadyThere + other.alreadyThere)
    }
}

/// One PC as the store knows it.
package struct FleetMachine: Sendable, Equatable {
    /// The token's name.
    package var name: String
    package var firstSeen: Date
    package var lastSeen: Date
    package var lastUpload: Date?
    /// When its last report came; `nil` for an agent that never reported
    /// (an older one, or `sync`).
    package var reportedAt: Date?
    /// What the list shows of its last report.
    package var summary: FleetReportSummary?
    /// Its last report whole, when asked for.
    package var report: NachetWire.AgentReport?
    /// Pictures stored, by day, from the day asked on.
    package var days: [FleetDay: FleetDayCount]

    package init(
        name: String, firstSeen: Date, lastSeen: Date, lastUpload: Date?, reportedAt: Date?, summary: FleetReportSummary?,
        report: NachetWire.AgentReport? = nil, days: [FleetDay: FleetDayCount] = [:]
    ) {
        self.name = name
        self.firstSeen = firstSeen
        self.lastSeen = lastSeen
        self.lastUpload = lastUpload
        self.reportedAt = reportedAt
        self.summary = summary
        self.report = report
        self.days = days
    }
}

/// What the fleet's list shows of a report, kept in columns of its own so
/// a page of a thousand PCs reads no report whole.
package struct FleetReportSummary: Sendable, Equatable {
    package var host: String
    package var version: String
    package var filesWaiting: Int
    package var bytesWaiting: Int64
    package var foldersPending: Int
    package var foldersInError: Int
    /// How many outages it reported, and the first.
    package var outages: Int
    package var firstOutage: String?

    package init(_ report: NachetWire.AgentReport) {
        host = report.host
        version = report.version
        filesWaiting = report.files_waiting
        bytesWaiting = report.bytes_waiting
        foldersPending = report.folders_pending
        foldersInError = report.folders_in_error
        outages = report.outages.count
        firstOutage = report.outages.first?.problem
    }

    package init(
        host: String, version: String, filesWaiting: Int, bytesWaiting: Int64, foldersPending: Int, foldersInError: Int, outages: Int,
        firstOutage: String?
    ) {
        self.host = host
        self.version = version
        self.filesWaiting = filesWaiting
        self.bytesWaiting = bytesWaiting
        self.foldersPending = foldersPending
        self.foldersInError = foldersInError
        self.outages = outages
        self.firstOutage = firstOutage
    }
}
