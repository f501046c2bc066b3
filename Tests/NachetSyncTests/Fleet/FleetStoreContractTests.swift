import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The behaviour every ``FleetStore`` must have (serve's fleet tables in
/// the catalogue's database): each test runs on the embedded SQLite file
/// and on a real PostgreSQL server.
@Suite("Fleet store contract")
struct FleetStoreContractTests {
    private static let today = FleetDay(text: "2026-12-08")!
    private static let yesterday = FleetDay(text: "2026-12-07")!
    private static let noon = Date(timeIntervalSince1970: 1_796_731_200)  // 2026-12-08T12:00:00Z

    private static func report(host: String = "lab-pc-3", filesWaiting: Int = 12, outage: String? = nil) -> NachetWire.AgentReport {
        NachetWire.AgentReport(
            version: "0.1.0", host: host, drop_folders: ["/srv/seed-drop"], uploaded_since_start: 40, last_upload_seconds_ago: 3.5,
            files_waiting: filesWaiting, bytes_waiting: 1_234_567, folders_pending: 1, folders_in_error: 1,
            folders: [
                .init(
                    path: "/srv/seed-drop/bromus-typo", status: "invalid",
                    headline: "invalid — metadata.json has problems; nothing is uploaded until they are fixed",
                    reason: "metadata.json: seed_name: unknown seed \"Bromus secalnus\" — did you mean \"Bromus secalinus\"?",
                    files_waiting: 2)
            ],
            outages: outage.map { [.init(problem: $0, for_seconds: 30)] } ?? [])
    }

    /// A prepared store in a fresh catalogue of `backend`, and a way to
    /// open another connection to it (another `serve`).
    private func makeStore(_ backend: CatalogueKind, in directory: TemporaryDirectory) async throws -> (
        any FleetStore, () throws -> any FleetStore
    ) {
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory)
        let store = try catalogue.openFleetStore()
        try await store.prepare()
        return (store, { try catalogue.openFleetStore() })
    }

    @Test(arguments: CatalogueKind.allCases)
    func aNewStoreHoldsNoPCAndPreparingAgainChangesNothing(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let (store, _) = try await makeStore(backend, in: directory)
        try await store.record(["lab-pc-1": FleetActivity(lastSeen: Self.noon)])
        try await store.prepare()

        #expect(try await store.machines(daysFrom: Self.yesterday, reports: false).map(\.name) == ["lab-pc-1"])
        #expect(try await store.machine(named: "lab-pc-2", daysFrom: Self.yesterday) == nil)
        await store.close()
    }

    @Test(arguments: CatalogueKind.allCases)
    func theLatestTimesAreKeptAndDayCountsAddUp(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let (store, _) = try await makeStore(backend, in: directory)
        let later = Self.noon.addingTimeInterval(60)
        try await store.record([
            "lab-pc-1": FleetActivity(
                lastSeen: later, lastUpload: later, days: [Self.today: FleetDayCount(pictures: 3, bytes: 3_000, alreadyThere: 1)])
        ])
        // Another serve, behind: its older times do not win, its counts add.
        try await store.record([
            "lab-pc-1": FleetActivity(
                lastSeen: Self.noon, lastUpload: nil,
                days: [Self.today: FleetDayCount(pictures: 2, bytes: 2_000), Self.yesterday: FleetDayCount(pictures: 5, bytes: 5_000)])
        ])

        let machine = try #require(try await store.machine(named: "lab-pc-1", daysFrom: Self.yesterday))
        #expect(machine.lastSeen == later)
        #expect(machine.lastUpload == later)
        #expect(machine.firstSeen == Self.noon)
        #expect(machine.days[Self.today] == FleetDayCount(pictures: 5, bytes: 5_000, alreadyThere: 1))
        #expect(machine.days[Self.yesterday] == FleetDayCount(pictures: 5, bytes: 5_000))
        #expect(machine.reportedAt == nil && machine.summary == nil, "an agent that never reported")
        #expect(try await store.machines(daysFrom: Self.today, reports: false).first?.days.keys.sorted() == [Self.today])
        await store.close()
    }

    @Test(arguments: CatalogueKind.allCases)
    func aNewerReportReplacesTheStoredOneAndAnOlderOneDoesNot(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let (store, _) = try await makeStore(backend, in: directory)
        let first = ReceivedReport(
            receivedAt: Self.noon, report: Self.report(filesWaiting: 12, outage: "Nachet API unreachable (connection refused)"))
        let newer = ReceivedReport(receivedAt: Self.noon.addingTimeInterval(60), report: Self.report(filesWaiting: 0))
        let older = ReceivedReport(receivedAt: Self.noon.addingTimeInterval(-60), report: Self.report(host: "stale"))
        try await store.record(["lab-pc-3": FleetActivity(lastSeen: Self.noon, report: first)])

        let summarised = try #require(try await store.machines(daysFrom: Self.today, reports: false).first)
        #expect(summarised.reportedAt == Self.noon)
        #expect(summarised.report == nil, "the list reads no report whole")
        #expect(
            summarised.summary
                == FleetReportSummary(
                    host: "lab-pc-3", version: "0.1.0", filesWaiting: 12, bytesWaiting: 1_234_567, foldersPending: 1, foldersInError: 1,
                    outages: 1, firstOutage: "Nachet API unreachable (connection refused)"))
        #expect(try await store.machine(named: "lab-pc-3", daysFrom: Self.today)?.report == first.report, "the report whole, as sent")

        try await store.record(["lab-pc-3": FleetActivity(lastSeen: newer.receivedAt, report: newer)])
        try await store.record(["lab-pc-3": FleetActivity(lastSeen: older.receivedAt, report: older)])
        let machine = try #require(try await store.machine(named: "lab-pc-3", daysFrom: Self.today))
        #expect(machine.report == newer.report)
        #expect(machine.reportedAt == newer.receivedAt)
        #expect(machine.summary?.filesWaiting == 0 && machine.summary?.outages == 0 && machine.summary?.firstOutage == nil)
        await store.close()
    }

    /// Two `serve` over one datastore: each writes what it saw on its own
    /// connection, at the same time; both read one fleet.
    @Test(arguments: CatalogueKind.allCases)
    func twoServersOverOneDatabaseSeeOneFleet(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let (first, connect) = try await makeStore(backend, in: directory)
        let second = try connect()
        try await second.prepare()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, store) in [first, second].enumerated() {
                group.addTask {
                    for round in 0..<20 {
                        let seen = Self.noon.addingTimeInterval(Double(round * 2 + index))
                        try await store.record([
                            "lab-pc-1": FleetActivity(
                                lastSeen: seen, lastUpload: seen, days: [Self.today: FleetDayCount(pictures: 1, bytes: 10)]),
                            "lab-pc-\(index + 2)": FleetActivity(lastSeen: seen),
                        ])
                    }
                }
            }
            try await group.waitForAll()
        }

        for store in [first, second] {
            let machines = try await store.machines(daysFrom: Self.today, reports: false)
            #expect(machines.map(\.name).sorted() == ["lab-pc-1", "lab-pc-2", "lab-pc-3"])
            let shared = try #require(machines.first { $0.name == "lab-pc-1" })
            #expect(shared.days[Self.today] == FleetDayCount(pictures: 40, bytes: 400))
            #expect(shared.lastSeen == Self.noon.addingTimeInterval(39))
        }
        await first.close()
        await second.close()
    }

    @Test(arguments: CatalogueKind.allCases)
    func dayCountsBeforeADayAreForgotten(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let (store, _) = try await makeStore(backend, in: directory)
        try await store.record([
            "lab-pc-1": FleetActivity(
                lastSeen: Self.noon,
                days: [Self.today: FleetDayCount(pictures: 1, bytes: 1), Self.yesterday: FleetDayCount(pictures: 2, bytes: 2)])
        ])

        try await store.forgetDays(before: Self.today)

        let machine = try #require(try await store.machine(named: "lab-pc-1", daysFrom: FleetDay(text: "2026-01-01")!))
        #expect(machine.days == [Self.today: FleetDayCount(pictures: 1, bytes: 1)])
        await store.close()
    }

    /// Nachet's own tables are left as they are: the fleet's are two of
    /// serve's own beside them.
    @Test(arguments: CatalogueKind.allCases)
    func theFleetTablesAreServesOwnBesideNachets(backend: CatalogueKind) async throws {
        let directory = TemporaryDirectory()
        let catalogue = try await TestDatastore.makeCatalogue(backend, in: directory)
        let listing =
            backend == .sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name"
        let before = try await catalogue.inspect(listing).compactMap { $0[0] }
        let store = try catalogue.openFleetStore()
        try await store.prepare()

        let after = try await catalogue.inspect(listing).compactMap { $0[0] }
        #expect(Set(after).subtracting(before) == ["nachet_sync_fleet", "nachet_sync_fleet_days"])
        #expect(try await catalogue.catalogue.seeds().count == 15)
        await store.close()
    }
}
