import AsyncHTTPClient
import Foundation
import Glibc
import NIOCore
import NIOHTTP1
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Testing

/// `nachet-sync serve` as an administrator runs it: `--metrics-listen`
/// scraped over HTTP while an agent uploads, and the fleet kept in the
/// catalogue's database across a restart, with `--fleet-quiet-after`.
@Suite("serve: the fleet and the metrics of the command")
struct FleetCommandTests {
    @Test func theCommandServesMetricsAndItsFleetSurvivesARestart() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let catalogue = try SQLiteCatalogue(path: state + "/catalogue.sqlite")
        _ = try await catalogue.registerUser(email: TestDatastore.technician)
        await catalogue.close()
        let tokens = directory.appending("tokens")
        let token = try TokensFile.add(name: "lab-pc-1", users: [TestDatastore.technician], to: tokens)
        let admin = try TokensFile.add(name: "ops", users: [], admin: true, to: tokens)
        let arguments = ["--state-dir", state, "--tokens-file", tokens, "--metrics-listen", "127.0.0.1:0", "--fleet-quiet-after", "30"]

        try await withHTTPClient { client in
            func get(_ url: String, _ token: String? = nil) async throws -> (status: Int, text: String) {
                var request = HTTPClientRequest(url: url)
                if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
                let response = try await client.execute(request, timeout: .seconds(60))
                return (Int(response.status.code), String(buffer: try await response.body.collect(upTo: 16 << 20)))
            }
            var serve = try await ServeProcess(arguments: arguments, directory: directory)
            let metricsAddress = try #require(serve.logLines.lazy.compactMap { $0["metrics"] }.first, "\(serve.log)")
            let drop = try makeDropFolder(in: directory, count: 3)
            let run = try await ClientAgent(url: "http://127.0.0.1:\(serve.port)", state: directory.appending("agent"), token: token).sync(
                drop)
            #expect(run.status == 0, "\(run.errors)")

            let scraped = try await get("http://\(metricsAddress)/metrics")
            #expect(scraped.status == 200)
            #expect(ServeMetricsTests.value("nachet_sync_serve_pictures_stored_total", in: scraped.text) == 3, "\(scraped.text)")
            #expect(
                ServeMetricsTests.value(#"nachet_sync_serve_requests_total{route="/upload-picture-raw",status="200"}"#, in: scraped.text)
                    == 3)

            let before = try await get("http://127.0.0.1:\(serve.port)/fleet.json", admin)
            #expect(before.status == 200 && before.text.contains("\"quiet_after_seconds\":30"), "\(before.text)")
            #expect(try await serve.stop(SIGTERM) == 0, "\(serve.log)")

            // Restarted: the fleet is as it was, read from the catalogue's file.
            serve = try await ServeProcess(arguments: arguments, directory: directory)
            let after = try await get("http://127.0.0.1:\(serve.port)/fleet.json", admin)
            let pcs = try #require(
                (try JSONSerialization.jsonObject(with: Data(after.text.utf8)) as? [String: Any])?["pcs"] as? [[String: Any]])
            let pc = try #require(pcs.first { $0["name"] as? String == "lab-pc-1" }, "\(after.text)")
            #expect((pc["stored_today"] as? [String: Any])?["pictures"] as? Int == 3)
            #expect(pc["last_upload"] != nil)
            #expect(try await serve.stop(SIGTERM) == 0)
            #expect(!serve.log.contains(token) && !serve.log.contains(admin), "no token in the log")
        }
    }
}
