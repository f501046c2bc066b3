import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Testing

/// The fleet page in a real browser: headless Chromium (Debian's) loads
/// `/fleet` from a running `serve` with an administrator's token (as the
/// password a browser asks for), and the DOM it builds holds each PC's
/// row, light and links; a screenshot of the page and of a PC's page is
/// kept in `.build/test-artefacts/fleet-page/` (the test prints where).
@Suite("serve: the fleet page in a browser")
struct FleetBrowserTests {
    static let typo =
        "metadata.json: seed_name: unknown seed \"Bromus secalnus\" — did you mean \"Bromus secalinus\"? (`nachet-sync seeds` lists them all)"

    static func report(
        host: String, uploaded: Int, waiting: Int = 0, folders: [NachetWire.AgentReport.Folder] = [],
        outages: [NachetWire.AgentReport.Outage] = []
    ) -> NachetWire.AgentReport {
        NachetWire.AgentReport(
            version: NachetSyncVersion.current, host: host, drop_folders: ["/srv/seed-drop"], uploaded_since_start: uploaded,
            last_upload_seconds_ago: uploaded > 0 ? 40 : nil, files_waiting: waiting, bytes_waiting: Int64(waiting) * 2_400_000,
            folders_pending: 0, folders_in_error: folders.count, folders: folders, outages: outages)
    }

    /// Six lab PCs, one of each kind the page tells apart: working
    /// (lab-pc-1, lab-pc-6), a folder in error (lab-pc-2), quiet for two
    /// hours with pictures waiting (lab-pc-3), an outage (lab-pc-4), a
    /// token never used (lab-pc-5).
    static func makeFleet(_ harness: ServerHarness) async throws {
        var tokens = ["lab-pc-1": harness.token]
        for name in ["lab-pc-2", "lab-pc-3", "lab-pc-4", "lab-pc-5", "lab-pc-6"] {
            tokens[name] = try harness.addToken(name: name, users: [TestDatastore.technician])
        }
        // What the PCs stored over the last week, and lab-pc-3 last seen
        // two hours ago, written as another serve would have.
        let now = Date()
        var history: [String: FleetActivity] = [:]
        for (index, name) in ["lab-pc-1", "lab-pc-2", "lab-pc-3", "lab-pc-6"].enumerated() {
            var days: [FleetDay: FleetDayCount] = [:]
            for back in 0..<7 {
                let pictures = Int64((index + 3) * (back + 5))
                days[FleetDay.daysBefore(back, now)] = FleetDayCount(
                    pictures: pictures, bytes: pictures * 2_400_000, alreadyThere: Int64(back))
            }
            history[name] = FleetActivity(lastSeen: now.addingTimeInterval(-7_800), lastUpload: now.addingTimeInterval(-7_790), days: days)
        }
        history["lab-pc-3"]?.report = ReceivedReport(
            receivedAt: now.addingTimeInterval(-7_800), report: report(host: "MICROSCOPE-3", uploaded: 812, waiting: 340))
        let store = try harness.datastore.testCatalogue.openFleetStore()
        try await store.record(history)
        await store.close()

        let folder = NachetWire.AgentReport.Folder(
            path: "/srv/seed-drop/bromus-typo", status: "invalid",
            headline: "invalid — metadata.json has problems; nothing is uploaded until they are fixed", reason: typo, files_waiting: 3)
        let reports: [(String, NachetWire.AgentReport)] = [
            ("lab-pc-1", report(host: "MICROSCOPE-1", uploaded: 420)),
            ("lab-pc-2", report(host: "MICROSCOPE-2", uploaded: 96, waiting: 3, folders: [folder])),
            (
                "lab-pc-4",
                report(
                    host: "MICROSCOPE-4", uploaded: 0,
                    outages: [.init(problem: "drop folder missing: /mnt/microscope-share", for_seconds: 1_260)])
            ),
            ("lab-pc-6", report(host: "STEREO-6", uploaded: 57)),
        ]
        for (name, report) in reports {
            let answer = try await harness.send(
                .POST, "/agent-report", body: try JSONEncoder().encode(report), credentials: .bearer(tokens[name] ?? ""))
            guard answer.status == 200 else { throw HarnessFailure(description: "the report of \(name) was refused: \(answer.text)") }
        }
    }

    /// Each row of the page's table: the PC, its class and its `data-state`.
    static func rows(_ dom: String) -> [(pc: String, light: String, state: String)] {
        dom.matches(of: /<tr id="pc-([^"]+)" class="([a-z]+)" data-state="([a-z]+)">/).map { (String($0.1), String($0.2), String($0.3)) }
    }

    @Test func chromiumShowsEachPCWithItsLightLinksAndOrderAndKeepsAScreenshot() async throws {
        try await ServerHarness.with { harness in
            try await Self.makeFleet(harness)
            let admin = try harness.addAdminToken(name: "ops-alice")
            let browser = HeadlessChromium()
            let base = "http://ops-alice:\(admin)@127.0.0.1:\(harness.running.port)"

            let dom = try await browser.dom(base + "/fleet")
            let rows = Self.rows(dom)
            #expect(
                rows.map(\.pc) == ["lab-pc-3", "lab-pc-4", "lab-pc-2", "lab-pc-5", "lab-pc-1", "lab-pc-6"],
                "red first, then amber, then green: \(dom)")
            #expect(rows.map(\.state) == ["red", "red", "amber", "amber", "green", "green"])
            #expect(rows.allSatisfy { $0.light == $0.state })
            for pc in rows.map(\.pc) {
                #expect(dom.contains("<a href=\"/fleet/pc/\(pc)\">\(pc)</a>"), "\(pc) links to its page")
            }
            #expect(dom.contains("quiet for 2 h 10 min with 340 files waiting"), "why lab-pc-3 is red")
            #expect(dom.contains("outage: drop folder missing: /mnt/microscope-share"))
            #expect(dom.contains("1 folder in error"))
            #expect(dom.contains("never seen: the PC has not used its token yet"))
            #expect(dom.contains("<meta http-equiv=\"refresh\" content=\"30\">"), "it reloads itself")
            #expect(!dom.contains("<script"), "no script")
            #expect(dom.contains("<a href=\"/fleet?sort=last-seen\" id=\"sort-last-seen\">Last seen</a>"))

            // Sorted by last seen, oldest first (never seen first), then newest first.
            let oldestFirst = Self.rows(try await browser.dom(base + "/fleet?sort=last-seen")).map(\.pc)
            #expect(Array(oldestFirst.prefix(2)) == ["lab-pc-5", "lab-pc-3"], "\(oldestFirst)")
            let newestFirstDOM = try await browser.dom(base + "/fleet?sort=last-seen&order=desc")
            #expect(Array(Self.rows(newestFirstDOM).map(\.pc).suffix(2)) == ["lab-pc-3", "lab-pc-5"])
            #expect(newestFirstDOM.contains("id=\"sort-last-seen\">Last seen ▼</a>"))

            // A PC's page: the folder in error, with the reason and fix the technician sees.
            let pcDOM = try await browser.dom(base + "/fleet/pc/lab-pc-2")
            let table = try #require(pcDOM.firstRange(of: "<table id=\"folders-in-error\">").map { String(pcDOM[$0.lowerBound...]) })
            #expect(table.contains("/srv/seed-drop/bromus-typo"))
            #expect(table.contains("did you mean \"Bromus secalinus\"?"), "the fix")
            #expect(pcDOM.contains("<span class=\"light amber\" id=\"state\">amber</span>"))
            #expect(pcDOM.contains("<a href=\"/fleet\">← all lab PCs</a>"))

            let artefacts = try HeadlessChromium.artefacts("fleet-page")
            try await browser.screenshot(base + "/fleet", to: artefacts + "/fleet.png", width: 1400, height: 520)
            try await browser.screenshot(base + "/fleet/pc/lab-pc-2", to: artefacts + "/fleet-pc.png", width: 1100, height: 900)
            print("fleet page screenshots: \(artefacts)/fleet.png, \(artefacts)/fleet-pc.png")
        }
    }
}
