import Foundation
import Glibc
import NachetSync
import Synchronization

/// A real PostgreSQL server for the tests: Debian's `postgresql` package,
/// started by `initdb` + `pg_ctl` in a temporary directory on a free loopback
/// port (as the `postgres` user when the tests run as root), and stopped when
/// the test process exits.
///
/// When `NACHET_TEST_DB_URL` is set, tests use that server instead (the role
/// must be allowed to create databases). There is no skipping: without a
/// server the tests fail and say how to get one.
package final class PostgresServer: Sendable {
    /// The server every test shares; each test makes its own database on it.
    package static let shared = Task { try await onOwnThread { try PostgresServer.startOrUseEnvironment() } }

    /// The password of the `postgres` role of servers started here.
    package static let superuserPassword = "nachet-test-superuser"

    /// A URL for the `postgres` database, with rights to create databases.
    package let adminURL: String
    let dataDirectory: String?
    let port: Int

    private init(adminURL: String, dataDirectory: String?, port: Int) {
        self.adminURL = adminURL
        self.dataDirectory = dataDirectory
        self.port = port
    }

    private static func startOrUseEnvironment() throws -> PostgresServer {
        if let url = ProcessInfo.processInfo.environment["NACHET_TEST_DB_URL"], !url.isEmpty {
            return PostgresServer(adminURL: url, dataDirectory: nil, port: 0)
        }
        return try startNow()
    }

    /// Starts a new server of its own (for tests that stop and restart it).
    package static func start() async throws -> PostgresServer {
        try await onOwnThread { try startNow() }
    }

    private static func startNow() throws -> PostgresServer {
        let binaries = try binaryDirectory()
        let directory = try makeDirectory()
        let data = directory + "/data"
        // Password logins over TCP, as on a real server, so the tests can
        // check what a wrong password does; the superuser's is known here.
        let passwordFile = directory + "/superuser-password"
        try Data(superuserPassword.utf8).write(to: URL(fileURLWithPath: passwordFile))
        if let user = serverUser { chown(passwordFile, user.pw_uid, user.pw_gid) }
        try runAsServerUser(
            binaries + "/initdb",
            [
                "-D", data, "--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + passwordFile,
                "-U", "postgres", "--no-sync", "-E", "UTF8",
            ]
        )
        let port = try freePort()
        let server = PostgresServer(
            // A connect timeout of its own (the agent's default is 5 s): on
            // a machine shared by parallel test runs a connection to the
            // test server can take longer, and these tests are not about it.
            adminURL: "postgresql://postgres:\(superuserPassword)@127.0.0.1:\(port)/postgres?connect_timeout=30",
            dataDirectory: data,
            port: port
        )
        try server.startProcessNow()
        registerForExit(server)
        return server
    }

    /// Starts the server process again after ``stop()``.
    package func startProcess() async throws {
        try await onOwnThread { try self.startProcessNow() }
    }

    private func startProcessNow() throws {
        guard let dataDirectory else { return }
        let directory = (dataDirectory as NSString).deletingLastPathComponent
        try Self.runAsServerUser(
            try Self.binaryDirectory() + "/pg_ctl",
            [
                "-D", dataDirectory, "-l", directory + "/server.log", "-w", "-t", "60",
                "-o", "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                "start",
            ]
        )
    }

    /// Stops the server at once (in-flight connections are cut).
    package func stop() async throws {
        try await onOwnThread { try self.stopNow() }
    }

    private func stopNow() throws {
        guard let dataDirectory else { return }
        try Self.runAsServerUser(try Self.binaryDirectory() + "/pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
    }

    /// A new, empty database on this server; returns its URL.
    package func makeDatabase() async throws -> String {
        let name = "nachet_test_" + UUID().lowercased.replacingOccurrences(of: "-", with: "")
        let admin = PostgresConnection(connectionString: adminURL, schema: nil)
        // The name is generated here from hex digits only.
        _ = try await admin.withSession { session in try session.query("CREATE DATABASE \(name)") }
        await admin.close()
        var components = URLComponents(string: adminURL)!
        components.path = "/" + name
        return components.string!
    }

    /// Runs `sql` (one statement, no parameters) on the database at `url`; returns the rows.
    @discardableResult
    package static func query(_ url: String, schema: String? = nil, _ sql: String) async throws -> [[String?]] {
        let connection = PostgresConnection(connectionString: url, schema: schema)
        defer { Task { await connection.close() } }
        return try await connection.withSession { session in try session.query(sql) }
    }

    // MARK: - Processes

    private static let servers = LockedServers()

    private static func registerForExit(_ server: PostgresServer) {
        if servers.append(server) == 1 {
            atexit {
                for server in PostgresServer.servers.all {
                    try? server.stopNow()
                    if let data = server.dataDirectory {
                        try? FileManager.default.removeItem(atPath: (data as NSString).deletingLastPathComponent)
                    }
                }
            }
        }
    }

    private static func binaryDirectory() throws -> String {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard let newest = versions.compactMap(Int.init).max(), FileManager.default.isExecutableFile(atPath: "\(root)/\(newest)/bin/initdb")
        else {
            throw TestSetupError(
                "no PostgreSQL server found under \(root): install Debian's postgresql package (packaging/dev-setup.sh does), or set NACHET_TEST_DB_URL"
            )
        }
        return "\(root)/\(newest)/bin"
    }

    private static var serverUser: passwd? {
        getuid() == 0 ? getpwnam("postgres")?.pointee : nil
    }

    private static func makeDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/nachet-pg-XXXXXX").utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestSetupError("cannot create a temporary directory for PostgreSQL")
        }
        let path = String(cString: made)
        if let user = serverUser { chown(path, user.pw_uid, user.pw_gid) }
        return path
    }

    private static func runAsServerUser(_ executable: String, _ arguments: [String]) throws {
        if serverUser != nil {
            try ChildProcess.run("/usr/sbin/runuser", ["-u", "postgres", "--", executable] + arguments)
        } else {
            try ChildProcess.run(executable, arguments)
        }
    }

    private static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw TestSetupError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// The servers to stop at exit.
private final class LockedServers: Sendable {
    private let servers = Mutex<[PostgresServer]>([])

    /// Adds `server`; returns how many there are now.
    func append(_ server: PostgresServer) -> Int {
        servers.withLock {
            $0.append(server)
            return $0.count
        }
    }

    var all: [PostgresServer] { servers.withLock { $0 } }
}

/// The test environment is missing something; says what to install.
package struct TestSetupError: Error, CustomStringConvertible {
    package var description: String

    package init(_ description: String) {
        self.description = description
    }
}
