import NachetSyncTestSupport

/// The harness's PostgreSQL server (started as the tests start it, or the
/// one `NACHET_TEST_DB_URL` names), reached both directly and through a
/// ``DelayingProxy`` that puts it ``roundTrip`` away, as a cloud database is
/// from a lab PC (issue 13).
struct FarPostgres {
    /// The round trip the proxy adds.
    static let roundTrip = Duration.milliseconds(20)

    let server: PostgresServer
    let proxy: DelayingProxy

    /// A new, empty database's URLs: the direct one, for setting up, and
    /// the same database through the proxy.
    struct Database {
        var direct: String
        var far: String
    }

    /// Runs `body` with a proxy in front of the server, stopped afterwards.
    static func with<T>(_ body: (FarPostgres) async throws -> T) async throws -> T {
        let server = try await PostgresServer.shared.value
        let (proxy, _) = try await DelayingProxy.start(inFrontOf: server.adminURL, roundTrip: roundTrip)
        do {
            let result = try await body(FarPostgres(server: server, proxy: proxy))
            await proxy.stop()
            return result
        } catch {
            await proxy.stop()
            throw error
        }
    }

    /// A fresh database with Nachet's tables, made by `nachet-sync db init`
    /// over the direct connection with the state directory `stateDirectory`,
    /// and the benchmark's user registered there (the embedded blob folder
    /// of that state directory gets the user's container).
    func makeNachetDatabase(stateDirectory: String) async throws -> Database {
        let direct = try await server.makeDatabase()
        let setUp = AgentCommand(stateDirectory: stateDirectory, catalogue: direct)
        try setUp.initializeCatalogue()
        try setUp.registerUser()
        return Database(direct: direct, far: try proxy.rerouting(direct))
    }
}
