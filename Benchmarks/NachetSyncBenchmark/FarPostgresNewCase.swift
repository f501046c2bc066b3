import Foundation

/// Issue 13, PostgreSQL 20 ms away: new small pictures in a few sets, the
/// catalogue reached through a ``DelayingProxy`` and the blobs in the
/// embedded folder, so only the catalogue's distance counts; beside the
/// same `sync` over a direct connection, into a database of its own.
struct FarPostgresNewCase {
    var count: Int
    var sets = 5
    var size = 50 << 10

    func run(in directory: String) async throws -> CaseResult {
        let drop = directory + "/drop"
        _ = try BenchmarkData.dropFolder(at: drop, count: count, size: size, perSet: (count + sets - 1) / sets)
        let (direct, far) = try await FarPostgres.with { postgres in
            func upload(_ name: String, through url: (FarPostgres.Database) -> String) async throws -> ChildRun {
                let state = directory + "/state-" + name
                let database = try await postgres.makeNachetDatabase(stateDirectory: state)
                let run = try AgentCommand(stateDirectory: state, catalogue: url(database)).sync(drop)
                guard run.output.contains("\(count) pictures uploaded") else {
                    throw BenchmarkError("the \(name) sync did not store every picture: \(run.output.suffix(500))")
                }
                return run
            }
            return (try await upload("direct") { $0.direct }, try await upload("far") { $0.far })
        }
        let rate = Double(count) / far.seconds
        let directRate = Double(count) / direct.seconds
        return CaseResult(
            name: "PostgreSQL \(Show.milliseconds(FarPostgres.roundTrip)) away, \(count) new × \(size >> 10) KiB in \(sets) sets",
            agent: "\(Show.rate(rate, "pictures/s")) (\(Show.seconds(far.seconds))), RSS \(Show.mebibytes(kibibytes: far.peakRSSKiB))",
            peer: "same sync, direct connection: \(Show.rate(directRate, "pictures/s")) (\(Show.seconds(direct.seconds)))",
            ratio: "\(Show.ratio(rate / directRate)) the direct sync's pictures/s",
            goal: "≥ 250 pictures/s; RSS < 64 MiB",
            met: rate >= 250 && far.peakRSSKiB < 64 << 10,
            values: [
                "agent_seconds": far.seconds, "direct_seconds": direct.seconds, "pictures_per_second": rate,
                "direct_pictures_per_second": directRate, "agent_peak_rss_kib": Double(far.peakRSSKiB),
                "direct_peak_rss_kib": Double(direct.peakRSSKiB), "pictures": Double(count), "sets": Double(sets),
                "round_trip_seconds": Seconds.of(FarPostgres.roundTrip),
            ]
        )
    }
}
