import Foundation
import Glibc
import NIOHTTP1
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Testing

/// Three lab PCs' agents (`watch`, child processes) through one `serve`:
/// the fleet shows each as it is, and a stopped one turns red once the
/// quiet time passes with its files waiting.
@Suite("serve: the fleet, end to end")
struct FleetEndToEndTests {
    /// The fleet's PCs by name, as `/fleet.json` answers.
    static func fleet(_ harness: ServerHarness, admin: String) async throws -> [String: [String: Any]] {
        try await AgentReportRouteTests.fleet(harness, admin: admin)
    }

    @Test func threeAgentsShowAsTheyAreAndAStoppedOneTurnsRedAfterTheQuietTime() async throws {
        try await ServerHarness.with(fleetQuietAfter: .seconds(6)) { harness in
            let admin = try harness.addAdminToken()
            let directory = TemporaryDirectory()
            // lab-pc-1: a folder of 4 pictures.
            let working = try makeDropFolder(in: directory, name: "lot-1", count: 4, seedOffset: 100)
            // lab-pc-2: a folder of 2, and one whose metadata names a seed that does not exist.
            let erring = try makeDropFolder(in: directory, name: "lot-2", count: 2, seedOffset: 200)
            let typo = DropFolderBuilder(root: erring)
            _ = try typo.makeSet("bromus-typo", metadata: DropFolderBuilder.metadata(seed: "Bromus secalnus"))
            for index in 0..<3 { _ = try typo.writeImage("img-\(index).png", in: "bromus-typo", seed: 300 + UInt64(index)) }
            // lab-pc-3: a folder of 2, and one waiting for its metadata.json; stopped later.
            let stopping = try makeDropFolder(in: directory, name: "lot-3", count: 2, seedOffset: 400)
            let waiting = DropFolderBuilder(root: stopping)
            _ = try waiting.makeSet("no-metadata-yet", metadata: nil)
            for index in 0..<2 { _ = try waiting.writeImage("img-\(index).png", in: "no-metadata-yet", seed: 500 + UInt64(index)) }

            let tokens = [
                harness.token, try harness.addToken(name: "lab-pc-2", users: [TestDatastore.technician]),
                try harness.addToken(name: "lab-pc-3", users: [TestDatastore.technician]),
            ]
            let agents = zip([working, erring, stopping], tokens).enumerated().map { index, pair in
                (pair.0, ClientAgent(url: harness.baseURL, state: directory.appending("state-\(index + 1)"), token: pair.1))
            }
            let pids = agents.map { _ in ProcessIDBox() }
            let runs = agents.enumerated().map { index, agent in Task { try await agent.1.watch(agent.0, onStart: pids[index].set) } }
            // A run whose task is cancelled is killed (a failed expectation below).
            defer { for run in runs { run.cancel() } }
            func stop(_ index: Int) {
                if let pid = pids[index].pid { kill(pid, SIGTERM) }
            }

            // Each PC as it is: uploading done, a folder in error with its fix, a folder waiting.
            var pcs: [String: [String: Any]] = [:]
            let settled = try await eventually(within: .seconds(180)) {
                pcs = try await Self.fleet(harness, admin: admin)
                let reports = ["lab-pc-1", "lab-pc-2", "lab-pc-3"].compactMap { pcs[$0]?["report"] as? [String: Any] }
                return reports.count == 3 && reports.allSatisfy { $0["uploaded_since_start"] as? Int ?? 0 > 0 }
                    && (reports[1]["folders_in_error"] as? Int) == 1 && (reports[2]["folders_pending"] as? Int) == 1
            }
            #expect(settled, "\(pcs)")
            #expect(try await harness.datastore.rowCount("picture") == 8)
            #expect(pcs["lab-pc-1"]?["state"] as? String == "green", "\(pcs)")
            #expect((pcs["lab-pc-1"]?["stored_today"] as? [String: Any])?["pictures"] as? Int == 4)
            #expect(pcs["lab-pc-2"]?["state"] as? String == "amber")
            #expect(pcs["lab-pc-2"]?["why"] as? [String] == ["1 folder in error"])
            let folder = try #require(((pcs["lab-pc-2"]?["report"] as? [String: Any])?["folders"] as? [[String: Any]])?.first)
            #expect(folder["path"] as? String == erring + "/bromus-typo")
            #expect(folder["status"] as? String == "invalid")
            #expect((folder["reason"] as? String)?.contains("did you mean \"Bromus secalinus\"") == true, "the fix: \(folder)")
            #expect(folder["files_waiting"] as? Int == 3)
            let third = try #require(pcs["lab-pc-3"]?["report"] as? [String: Any])
            #expect(pcs["lab-pc-3"]?["state"] as? String == "green", "a folder waiting for its metadata is no error")
            #expect(third["files_waiting"] as? Int == 2)
            #expect((third["folders"] as? [[String: Any]])?.first?["status"] as? String == "waiting")
            #expect(third["version"] as? String == NachetSyncVersion.current)
            #expect(third["drop_folders"] as? [String] == [stopping])

            // lab-pc-3 stops; past the quiet time it is red, its files waiting.
            stop(2)
            #expect(try await runs[2].value.status == 0)
            var stopped: [String: Any] = [:]
            let turnedRed = try await eventually(within: .seconds(120)) {
                stopped = try await Self.fleet(harness, admin: admin)["lab-pc-3"] ?? [:]
                return stopped["state"] as? String == "red"
            }
            #expect(turnedRed, "\(stopped)")
            #expect((stopped["last_seen_seconds_ago"] as? Double ?? 0) >= 6, "not before the quiet time: \(stopped)")
            #expect((stopped["why"] as? [String])?.first?.hasSuffix("with 2 files waiting") == true, "\(stopped)")
            // The others, still reporting, are as they were.
            let others = try await Self.fleet(harness, admin: admin)
            #expect(others["lab-pc-1"]?["state"] as? String == "green", "\(others)")
            #expect(others["lab-pc-2"]?["state"] as? String == "amber")

            let page = try await harness.send(.GET, "/fleet/pc/lab-pc-2", credentials: .bearer(admin)).text
            #expect(page.contains("did you mean &quot;Bromus secalinus&quot;?"), "the PC's page shows the fix")

            for index in 0..<2 { stop(index) }
            for index in 0..<2 {
                let run = try await runs[index].value
                #expect(run.status == 0, "\(run.errors)")
                #expect(!run.errors.contains(tokens[index]), "the token is never logged")
            }
        }
    }
}
