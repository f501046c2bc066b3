import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncServer
import NachetSyncTestSupport
import Prometheus
import Testing

/// serve's metrics, scraped as Prometheus scrapes them while an agent
/// uploads through it: they equal the catalogue's counts and the requests
/// sent.
@Suite("serve: metrics")
struct ServeMetricsTests {
    /// The value of the series `series` (name and labels, as exposed) in `text`.
    static func value(_ series: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func scrapedMetricsEqualTheCataloguesCountsAndTheRequestsSent() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = ServeMetrics(factory: PrometheusMetricsFactory(registry: registry))
        try await ServerHarness.with(metrics: metrics) { harness in
            let directory = TemporaryDirectory()
            let drop = try makeDropFolder(in: directory, count: 6, size: 20_000)
            let run = try await ClientAgent(url: harness.baseURL, state: directory.appending("state"), token: harness.token).sync(drop)
            #expect(run.status == 0, "\(run.errors)")
            // One picture sent again (its set holds it), one whose bytes are not its hash.
            let session = try await harness.newSession()
            let bytes = DropFolderBuilder.imageBytes(seed: 1, size: 20_000)
            let path = UploadPictureRawRouteTests.query(harness, session: session)
            #expect(try await harness.send(.POST, path, body: bytes, headers: [("X-Content-SHA256", bytes.sha256)]).status == 200)
            let wrong = try await harness.send(.POST, path, body: bytes, headers: [("X-Content-SHA256", String(repeating: "0", count: 64))])
            #expect(wrong.status == 400)
            #expect(try await harness.send(.GET, "/nowhere").status == 404)

            let text = String(decoding: registry.emitToBuffer(), as: UTF8.self)
            let pictures = try await harness.datastore.rowCount("picture")
            #expect(pictures == 6)
            #expect(Self.value("nachet_sync_serve_pictures_stored_total", in: text) == Double(pictures), "\(text)")
            #expect(Self.value("nachet_sync_serve_bytes_stored_total", in: text) == Double(6 * 20_000))
            #expect(Self.value("nachet_sync_serve_pictures_already_there_total", in: text) == 1)
            let raw = #"route="/upload-picture-raw""#
            #expect(Self.value(#"nachet_sync_serve_requests_total{\#(raw),status="200"}"#, in: text) == 7)
            #expect(Self.value(#"nachet_sync_serve_requests_total{\#(raw),status="400"}"#, in: text) == 1)
            #expect(
                Self.value(#"nachet_sync_serve_requests_total{route="NotFound",status="404"}"#, in: text) == 1, "any other path: one series"
            )
            #expect(Self.value(#"nachet_sync_serve_request_bytes_total{\#(raw)}"#, in: text) == Double(8 * 20_000))
            #expect(Self.value(#"nachet_sync_serve_request_duration_seconds_count{\#(raw)}"#, in: text) == 8)
            #expect(Self.value(#"nachet_sync_serve_requests_total{route="/new-batch-import",status="200"}"#, in: text) == 2)
            #expect(Self.value("nachet_sync_serve_spool_files", in: text) == 0, "every spool file removed")
            #expect(text.contains(#"nachet_sync_catalogue_seconds_count{operation="insert_pictures"}"#), "the datastore's calls are timed")
            #expect(Self.value("nachet_sync_serve_connections_open", in: text).map { $0 >= 1 } == true, "the test's own connection")

            // The fleet's gauges, refreshed from the store.
            var scraped = ""
            let gauged = try await eventually(within: .seconds(60)) {
                scraped = String(decoding: registry.emitToBuffer(), as: UTF8.self)
                return Self.value(#"nachet_sync_serve_pc_last_seen_timestamp_seconds{pc="lab-pc-1"}"#, in: scraped) != nil
            }
            #expect(gauged, "\(scraped)")
            let lastSeen = Self.value(#"nachet_sync_serve_pc_last_seen_timestamp_seconds{pc="lab-pc-1"}"#, in: scraped) ?? 0
            #expect(abs(lastSeen - Date().timeIntervalSince1970) < 120)
            #expect(Self.value(#"nachet_sync_serve_pc_state{pc="lab-pc-1"}"#, in: scraped) == 0, "green")
            #expect(Self.value(#"nachet_sync_serve_fleet_pcs{state="green"}"#, in: scraped) == 1)
        }
    }
}
