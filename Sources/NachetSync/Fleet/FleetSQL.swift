import Foundation

/// The fleet tables' SQL, written once for SQLite and PostgreSQL: the two
/// differ here only in column types, how parameters are numbered, and how
/// the larger of two values is written. Each store runs these statements
/// on its own connection (``SQLiteFleetStore``, ``PostgresFleetStore``).
enum FleetSQL {
    enum Dialect {
        case sqlite
        case postgres

        /// The `n`th parameter (from 1).
        func parameter(_ n: Int) -> String { self == .sqlite ? "?\(n)" : "$\(n)" }
        /// The larger of its arguments, NULL when one is NULL in SQLite.
        var greatest: String { self == .sqlite ? "max" : "GREATEST" }
        /// The smaller of its arguments.
        var least: String { self == .sqlite ? "min" : "LEAST" }
        var real: String { self == .sqlite ? "REAL" : "double precision" }
        var integer: String { self == .sqlite ? "INTEGER" : "bigint" }
    }

    /// One statement and its parameters.
    struct Statement: Sendable {
        var sql: String
        var parameters: [SQLiteValue]
    }

    static let machinesTable = "nachet_sync_fleet"
    static let daysTable = "nachet_sync_fleet_days"

    /// The tables, and the index the list's day counts are read by. Times
    /// are Unix seconds (`to_timestamp(last_seen)` in PostgreSQL); days are
    /// `YYYY-MM-DD` in UTC.
    static func schema(_ dialect: Dialect) -> [String] {
        let (real, integer) = (dialect.real, dialect.integer)
        return [
            """
            CREATE TABLE IF NOT EXISTS \(machinesTable) (
                name text PRIMARY KEY NOT NULL,
                first_seen \(real) NOT NULL,
                last_seen \(real) NOT NULL,
                last_upload \(real),
                report_at \(real),
                report text,
                host text,
                version text,
                files_waiting \(integer),
                bytes_waiting \(integer),
                folders_pending \(integer),
                folders_in_error \(integer),
                outages \(integer),
                first_outage text
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS \(daysTable) (
                name text NOT NULL,
                day text NOT NULL,
                pictures \(integer) NOT NULL,
                bytes \(integer) NOT NULL,
                already_there \(integer) NOT NULL,
                PRIMARY KEY (name, day)
            )
            """,
            "CREATE INDEX IF NOT EXISTS \(daysTable)_by_day ON \(daysTable) (day)",
        ]
    }

    /// The statements merging `activity` into the tables: each PC's row
    /// (the latest times kept), its report where newer than the one
    /// stored, its day counts added.
    static func record(_ activity: [String: FleetActivity], _ dialect: Dialect) -> [Statement] {
        let p = dialect.parameter
        let (greatest, least) = (dialect.greatest, dialect.least)
        let machine = """
            INSERT INTO \(machinesTable) (name, first_seen, last_seen, last_upload) VALUES (\(p(1)), \(p(2)), \(p(2)), \(p(3)))
            ON CONFLICT (name) DO UPDATE SET
                first_seen = \(least)(\(machinesTable).first_seen, excluded.first_seen),
                last_seen = \(greatest)(\(machinesTable).last_seen, excluded.last_seen),
                last_upload = COALESCE(\(greatest)(\(machinesTable).last_upload, excluded.last_upload), \(machinesTable).last_upload, excluded.last_upload)
            """
        let report = """
            UPDATE \(machinesTable) SET report_at = \(p(2)), report = \(p(3)), host = \(p(4)), version = \(p(5)), files_waiting = \(p(6)),
                bytes_waiting = \(p(7)), folders_pending = \(p(8)), folders_in_error = \(p(9)), outages = \(p(10)), first_outage = \(p(11))
            WHERE name = \(p(1)) AND (report_at IS NULL OR report_at < \(p(2)))
            """
        let day = """
            INSERT INTO \(daysTable) (name, day, pictures, bytes, already_there) VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)))
            ON CONFLICT (name, day) DO UPDATE SET
                pictures = \(daysTable).pictures + excluded.pictures,
                bytes = \(daysTable).bytes + excluded.bytes,
                already_there = \(daysTable).already_there + excluded.already_there
            """
        var statements: [Statement] = []
        for (name, activity) in activity.sorted(by: { $0.key < $1.key }) {
            statements.append(
                Statement(
                    sql: machine,
                    parameters: [.text(name), .real(seconds(activity.lastSeen)), activity.lastUpload.map { .real(seconds($0)) } ?? .null]))
            if let received = activity.report {
                let summary = FleetReportSummary(received.report)
                statements.append(
                    Statement(
                        sql: report,
                        parameters: [
                            .text(name), .real(seconds(received.receivedAt)), .text(encoded(received.report)), .text(summary.host),
                            .text(summary.version),
                            .integer(Int64(summary.filesWaiting)), .integer(summary.bytesWaiting), .integer(Int64(summary.foldersPending)),
                            .integer(Int64(summary.foldersInError)), .integer(Int64(summary.outages)), .optionalText(summary.firstOutage),
                        ]))
            }
            for (date, count) in activity.days.sorted(by: { $0.key < $1.key }) {
                statements.append(
                    Statement(
                        sql: day,
                        parameters: [
                            .text(name), .text(date.text), .integer(count.pictures), .integer(count.bytes), .integer(count.alreadyThere),
                        ]))
            }
        }
        return statements
    }

    /// Every PC's row, each with its report whole or not (`name` given:
    /// that PC's, with its report whole).
    static func machines(_ dialect: Dialect, named name: String? = nil, reports: Bool = true) -> Statement {
        let columns =
            "name, first_seen, last_seen, last_upload, report_at, host, version, files_waiting, bytes_waiting, folders_pending, folders_in_error, outages, first_outage, "
            + (reports ? "report" : "NULL")
        guard let name else { return Statement(sql: "SELECT \(columns) FROM \(machinesTable)", parameters: []) }
        return Statement(sql: "SELECT \(columns) FROM \(machinesTable) WHERE name = \(dialect.parameter(1))", parameters: [.text(name)])
    }

    /// The day counts from `firstDay` on (`name` given: that PC's).
    static func days(_ dialect: Dialect, from firstDay: FleetDay, named name: String? = nil) -> Statement {
        let sql = "SELECT name, day, pictures, bytes, already_there FROM \(daysTable) WHERE day >= \(dialect.parameter(1))"
        guard let name else { return Statement(sql: sql, parameters: [.text(firstDay.text)]) }
        return Statement(sql: sql + " AND name = \(dialect.parameter(2))", parameters: [.text(firstDay.text), .text(name)])
    }

    static func forgetDays(_ dialect: Dialect, before day: FleetDay) -> Statement {
        Statement(sql: "DELETE FROM \(daysTable) WHERE day < \(dialect.parameter(1))", parameters: [.text(day.text)])
    }

    /// The PCs of `rows` (as ``machines(_:named:)`` reads them, every value
    /// as text) with the day counts of `dayRows` (as ``days(_:from:named:)``).
    static func machines(rows: [[String?]], dayRows: [[String?]]) -> [FleetMachine] {
        var days: [String: [FleetDay: FleetDayCount]] = [:]
        for row in dayRows {
            guard row.count == 5, let name = row[0], let day = row[1].flatMap(FleetDay.init(text:)) else { continue }
            days[name, default: [:]][day] = FleetDayCount(
                pictures: integer(row[2]) ?? 0, bytes: integer(row[3]) ?? 0, alreadyThere: integer(row[4]) ?? 0)
        }
        return rows.compactMap { row in
            guard row.count == 14, let name = row[0], let firstSeen = date(row[1]), let lastSeen = date(row[2]) else { return nil }
            var summary: FleetReportSummary?
            if row[4] != nil, let host = row[5], let version = row[6] {
                summary = FleetReportSummary(
                    host: host, version: version, filesWaiting: Int(integer(row[7]) ?? 0), bytesWaiting: integer(row[8]) ?? 0,
                    foldersPending: Int(integer(row[9]) ?? 0), foldersInError: Int(integer(row[10]) ?? 0),
                    outages: Int(integer(row[11]) ?? 0),
                    firstOutage: row[12])
            }
            let report = row[13].flatMap { try? JSONDecoder().decode(NachetWire.AgentReport.self, from: Data($0.utf8)) }
            return FleetMachine(
                name: name, firstSeen: firstSeen, lastSeen: lastSeen, lastUpload: date(row[3]), reportedAt: date(row[4]), summary: summary,
                report: report, days: days[name] ?? [:])
        }
    }

    /// An SQLite row as text, as PostgreSQL answers.
    static func text(_ row: SQLiteRow) -> [String?] {
        row.values.map(text)
    }

    /// A value as PostgreSQL takes and answers it: text.
    static func text(_ value: SQLiteValue) -> String? {
        switch value {
        case .null: nil
        case .integer(let integer): String(integer)
        case .real(let real): String(real)
        case .text(let text): text
        }
    }

    /// The report as the store keeps it: compact JSON, keys sorted.
    static func encoded(_ report: NachetWire.AgentReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }

    private static func date(_ text: String?) -> Date? {
        text.flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
    }

    /// An integer column, which PostgreSQL may also answer as `12.0`.
    private static func integer(_ text: String?) -> Int64? {
        guard let text else { return nil }
        return Int64(text) ?? Double(text).map { Int64($0) }
    }
}
