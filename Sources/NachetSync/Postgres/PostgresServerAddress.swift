import CLibpq
import Foundation

/// Which server and database a libpq connection string points at: host,
/// port and database name, and nothing else (no user, no password).
///
/// Read with libpq's own parser (`PQconninfoParse`), so URLs and
/// `key=value` strings name the same database the same way; what the string
/// leaves out comes from `PGHOST`, `PGPORT` and `PGDATABASE`, then libpq's
/// defaults (the local socket, 5432, the user's name), as libpq itself does.
struct PostgresServerAddress: Sendable, Hashable, CustomStringConvertible {
    /// The host(s) as given, or `nil` for libpq's default (the local socket).
    var host: String?
    var port: String
    var database: String

    /// Reads `connectionString`; `nil` when libpq cannot parse it (the
    /// connection would fail the same way, with libpq's message).
    init?(connectionString: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        var message: UnsafeMutablePointer<CChar>?
        guard let options = PQconninfoParse(connectionString, &message) else {
            if let message { PQfreemem(message) }
            return nil
        }
        defer { PQconninfoFree(options) }
        var given: [String: String] = [:]
        var option = options
        while let keyword = option.pointee.keyword {
            if let value = option.pointee.val, value.pointee != 0 {
                given[String(cString: keyword)] = String(cString: value)
            }
            option = option.advanced(by: 1)
        }
        func setting(_ keyword: String, _ variable: String) -> String? {
            given[keyword] ?? environment[variable].flatMap { $0.isEmpty ? nil : $0 }
        }
        host = setting("host", "PGHOST") ?? setting("hostaddr", "PGHOSTADDR")
        port = setting("port", "PGPORT") ?? "5432"
        database = setting("dbname", "PGDATABASE") ?? setting("user", "PGUSER") ?? NSUserName()
    }

    /// `host:port/database`, the host lower-cased.
    var description: String {
        "\(host?.lowercased() ?? "local socket"):\(port)/\(database)"
    }
}
