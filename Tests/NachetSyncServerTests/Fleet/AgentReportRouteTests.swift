import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Testing

/// The report route's contract (`POST /agent-report`), and who may see the
/// fleet: a lab PC's token reports, an administrator's opens the page.
@Suite("serve: agent reports and the fleet's access")
struct AgentReportRouteTests {
    static func report(host: String = "LAB-PC-3", reason: String = "metadata.json: seed_name: unknown seed \"Bromus secalnus\"") -> [String:
        Any]
    {
        [
            "version": "0.1.0", "host": host, "drop_folders": ["/srv/seed-drop"], "uploaded_since_start": 12,
            "last_upload_seconds_ago": 4.5,
            "files_waiting": 3, "bytes_waiting": 3_000, "folders_pending": 0, "folders_in_error": 1,
            "folders": [
                [
                    "path": "/srv/seed-drop/bromus-typo", "status": "invalid", "headline": "invalid — metadata.json has problems",
                    "reason": reason, "files_waiting": 3,
                ]
            ],
            "outages": [] as [Any],
        ]
    }

    /// The fleet as `/fleet.json` answers an administrator.
    static func fleet(_ harness: ServerHarness, admin: String) async throws -> [String: [String: Any]] {
        let answer = try await harness.send(.GET, "/fleet.json", credentials: .bearer(admin))
        let pcs = try #require((answer.json as? [String: Any])?["pcs"] as? [[String: Any]], "\(answer.status) \(answer.text)")
        return Dictionary(uniqueKeysWithValues: pcs.compactMap { pc in (pc["name"] as? String).map { ($0, pc) } })
    }

    @Test(arguments: ServerHarness.backends)
    func aReportIsKeptAsThePCsLastAndAnsweredWithWhenToReportNext(backends: Backends) async throws {
        try await ServerHarness.with(backends, fleetQuietAfter: .seconds(120)) { harness in
            let admin = try harness.addAdminToken()
            let answer = try await harness.post("/agent-report", Self.report())
            #expect(answer.status == 200, "\(answer.text)")
            #expect((answer.json as? [String: Any])?["report_interval_seconds"] as? Double == 30, "a quarter of the quiet time")

            // A second report replaces the first.
            #expect(try await harness.post("/agent-report", Self.report(host: "LAB-PC-3B")).status == 200)
            let pc = try #require(try await Self.fleet(harness, admin: admin)["lab-pc-1"])
            let report = try #require(pc["report"] as? [String: Any])
            #expect(report["host"] as? String == "LAB-PC-3B")
            #expect(
                (report["folders"] as? [[String: Any]])?.first?["reason"] as? String
                    == "metadata.json: seed_name: unknown seed \"Bromus secalnus\"")
            #expect(pc["state"] as? String == "amber")
            #expect(pc["why"] as? [String] == ["1 folder in error"])
            #expect(pc["has_token"] as? Bool == true)
        }
    }

    @Test(arguments: ServerHarness.backends)
    func aReportIsReadStrictlyAndAFaultyOneKeepsNothing(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let admin = try harness.addAdminToken()
            var tooManyFolders = Self.report()
            tooManyFolders["folders"] = Array(repeating: (Self.report()["folders"] as? [Any])?.first as Any, count: 21)
            var negative = Self.report()
            negative["files_waiting"] = -1
            var missing = Self.report()
            missing["host"] = nil
            var wrongType = Self.report()
            wrongType["folders_in_error"] = "1"
            let refusals: [(Data, String, String)] = [
                (Data(#"{"version": "0.1.0", "version": "0.2.0"}"#.utf8), "bad-request", "the key \"version\" is given twice"),
                (
                    try JSONSerialization.data(withJSONObject: Self.report(reason: "one\u{1B}[2Jtwo")), "bad-request",
                    "folders[0].reason holds the control character U+001B"
                ),
                (
                    try JSONSerialization.data(withJSONObject: Self.report(reason: String(repeating: "x", count: 401))), "bad-request",
                    "folders[0].reason is longer than 400 characters"
                ),
                (try JSONSerialization.data(withJSONObject: tooManyFolders), "bad-request", "folders lists 21; at most 20"),
                (try JSONSerialization.data(withJSONObject: negative), "bad-request", "files_waiting is negative"),
                (try JSONSerialization.data(withJSONObject: missing), "bad-request", "host is missing"),
                (try JSONSerialization.data(withJSONObject: wrongType), "bad-request", "folders_in_error has the wrong type"),
                (
                    Data(("{\"pad\": \"" + String(repeating: "x", count: 70_000) + "\"}").utf8), "too-large",
                    "the report is larger than 64 KiB"
                ),
            ]
            for (body, code, message) in refusals {
                let answer = try await harness.send(.POST, "/agent-report", body: body)
                #expect(answer.status == 400, "\(message)")
                #expect(answer.errorCode == code, "\(message)")
                #expect(answer.message?.hasPrefix("API Error receiving the agent's report : \(message)") == true, "\(answer.text)")
            }
            let pc = try #require(try await Self.fleet(harness, admin: admin)["lab-pc-1"])
            #expect(pc["report"] == nil, "no faulty report kept")
        }
    }

    @Test func onlyALabPCsTokenReportsAndOnlyAnAdministratorsOpensTheFleet() async throws {
        try await ServerHarness.with { harness in
            let admin = try harness.addAdminToken()
            let basic = "Basic " + Data("anyone:\(admin)".utf8).base64EncodedString()

            #expect(try await harness.post("/agent-report", Self.report(), credentials: .none).status == 401)
            #expect(try await harness.post("/agent-report", Self.report(), credentials: .bearer(admin)).status == 403)

            for path in ["/fleet", "/fleet.json", "/fleet/pc/lab-pc-1"] {
                let anonymous = try await harness.send(.GET, path, credentials: .none)
                #expect(anonymous.status == 401, "\(path)")
                #expect(
                    anonymous.headers.first(name: "WWW-Authenticate") == "Basic realm=\"nachet-sync fleet\", charset=\"UTF-8\"",
                    "a browser asks")
                #expect(try await harness.send(.GET, path).status == 403, "\(path): a lab PC's token does not open it")
                #expect(try await harness.send(.GET, path, credentials: .bearer(admin)).status == 200, "\(path)")
                #expect(try await harness.send(.GET, path, credentials: .header(basic)).status == 200, "\(path): a browser's Basic")
            }
            let refused = try await harness.send(.GET, "/seeds", credentials: .bearer(admin))
            #expect(refused.status == 403)
            #expect(refused.message?.contains("an administrator's token opens the fleet page (/fleet) only") == true)
            let wrongPassword = "Basic " + Data("anyone:nst_wrong".utf8).base64EncodedString()
            #expect(try await harness.send(.GET, "/fleet", credentials: .header(wrongPassword)).status == 401)

            let page = try await harness.send(.GET, "/fleet", credentials: .bearer(admin))
            #expect(page.headers.first(name: "Content-Type") == "text/html; charset=utf-8")
            #expect(page.headers.first(name: "Content-Security-Policy")?.hasPrefix("default-src 'none'") == true, "no script runs")
            let unknown = try await harness.send(.GET, "/fleet/pc/lab-pc-9", credentials: .bearer(admin))
            #expect(unknown.status == 404)
        }
    }

    /// Whatever a PC sends is shown as text: a host name or reason holding
    /// markup opens no element on the page.
    @Test func whatAPCSaysIsShownAsTextNeverAsMarkup() async throws {
        try await ServerHarness.with { harness in
            let admin = try harness.addAdminToken()
            let markup = "<script>alert(1)</script><img src=x onerror=alert(2)>"
            #expect(try await harness.post("/agent-report", Self.report(host: markup, reason: "\"'&" + markup)).status == 200)

            for path in ["/fleet", "/fleet/pc/lab-pc-1"] {
                let page = try await harness.send(.GET, path, credentials: .bearer(admin)).text
                #expect(!page.contains("<script") && !page.contains("<img"), "\(path)")
                #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "\(path)")
            }
        }
    }

    /// A server without tokens (development, loopback only) shows its
    /// fleet to anyone who can reach it; every agent is one PC there.
    @Test func aServerWithoutTokensShowsItsFleetOnLoopback() async throws {
        try await ServerHarness.with(development: true) { harness in
            #expect(try await harness.post("/agent-report", Self.report(), credentials: .none).status == 200)
            let answer = try await harness.send(.GET, "/fleet.json", credentials: .none)
            let pcs = try #require((answer.json as? [String: Any])?["pcs"] as? [[String: Any]])
            #expect(pcs.map { $0["name"] as? String } == ["insecure-dev"])
        }
    }
}
