import Foundation
import Glibc
import NIOHTTP1
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Testing

/// Reports are an extension both sides may lack: an agent that sends none
/// (older, or `sync`) is seen by its requests; a server without the route
/// (an older `serve`) is asked once and the agent goes on uploading.
@Suite("serve: the fleet with older agents and servers")
struct FleetCompatibilityTests {
    @Test func anAgentThatSendsNoReportIsSeenByItsRequestsAndUploads() async throws {
        try await ServerHarness.with { harness in
            let admin = try harness.addAdminToken()
            let directory = TemporaryDirectory()
            let drop = try makeDropFolder(in: directory, count: 3)
            let run = try await ClientAgent(url: harness.baseURL, state: directory.appending("state"), token: harness.token).sync(drop)
            #expect(run.status == 0, "\(run.errors)")

            let pc = try #require(try await AgentReportRouteTests.fleet(harness, admin: admin)["lab-pc-1"])
            #expect(pc["report"] == nil && pc["last_report"] == nil, "sync sends no report")
            #expect(pc["state"] as? String == "green", "\(pc)")
            #expect(pc["last_upload"] != nil)
            #expect((pc["stored_today"] as? [String: Any])?["pictures"] as? Int == 3)
            let page = try await harness.send(.GET, "/fleet", credentials: .bearer(admin)).text
            #expect(page.contains("no reports"), "the page says why nothing more is known")
        }
    }

    @Test func anOlderServerWithoutTheRouteIsAskedOnceAndTheAgentGoesOn() async throws {
        let server = try await ScriptedHTTPServer.start { head in
            head.hasPrefix("GET /health ")
                ? .response(
                    status: "200 OK", headers: [("Content-Type", "application/json")],
                    body: #"{"blob_store":"ok","catalogue":"ok","status":"ok"}"#)
                : .response(status: "404 Not Found", body: "Not Found")
        }
        let directory = TemporaryDirectory()
        let drop = directory.appending("drop")
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let box = ProcessIDBox()
        let agent = ClientAgent(url: server.url, state: directory.appending("state"), token: "nst_" + String(repeating: "t", count: 43))
        let watching = Task { try await agent.watch(drop, onStart: box.set) }
        defer { watching.cancel() }

        let asked = try await eventually(within: .seconds(120)) { server.requests.contains { $0.hasPrefix("POST /agent-report ") } }
        #expect(asked)
        if let pid = box.pid { kill(pid, SIGTERM) }
        let run = try await watching.value
        await server.stop()

        #expect(run.status == 0, "\(run.errors)")
        #expect(server.requests.filter { $0.hasPrefix("POST /agent-report ") }.count == 1, "asked once: \(server.requests)")
        #expect(run.errors.contains("has no /agent-report route: an older nachet-sync serve"), "\(run.errors)")
        #expect(!run.errors.contains("warning") && !run.errors.contains("error"), "no trouble said: \(run.errors)")
    }
}
