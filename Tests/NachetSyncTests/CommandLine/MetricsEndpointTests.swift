import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `watch --metrics-listen`: Prometheus metrics that agree with the catalogue.
@Suite("watch: Prometheus metrics")
struct MetricsEndpointTests {
    /// The metrics text at `address`.
    private func scrape(_ address: String, path: String = "/metrics") async throws -> (status: Int, text: String) {
        let url = try #require(URL(string: "http://\(address)\(path)"))
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// The value of the sample `name` (with its labels, if any) in `text`.
    private func value(_ name: String, in text: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func theCountersEqualTheCataloguesCounts() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try drop.makeSet("lot-typo", metadata: ["user_email": "tech@lab.example", "seed_name": "Bromus secalnus"])
        var sizes: Int64 = 0
        for index in 0..<12 {
            let path = try drop.writeImage("img-\(index).png", in: "lot-1", seed: UInt64(index), size: 10_000 + index * 100)
            sizes += Int64((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
        }
        try drop.writeImage("copy.png", in: "lot-1", seed: 0, size: 10_000)
        try drop.writeImage("waiting.png", in: "lot-typo", seed: 99)
        #expect(try await CommandLineTests().run(["user", "add", "--state-dir", state, "tech@lab.example"]).status == 0)

        let watch = try RunningWatch(
            arguments: [
                "--state-dir", state, "--stability-window", "0", "--parallel-uploads", "1", "--metrics-listen", "127.0.0.1:0", drop.root,
            ], directory: directory)
        var address = ""
        #expect(
            try await eventually {
                guard let line = watch.log.split(separator: "\n").first(where: { $0.contains("serving metrics at http://") }),
                    let range = line.range(of: "http://")
                else { return false }
                address = String(line[range.upperBound...].prefix { $0 != "/" })
                return true
            }, "\(watch.log)")
        func pictures() throws -> Int {
            Int(try SQLiteDatabase(path: state + "/catalogue.sqlite").query("SELECT count(*) FROM picture").first?[0].integer ?? -1)
        }
        // Scraped while the sync goes on: a picture is counted once its row
        // is in the catalogue, so a scrape never counts more than the
        // catalogue holds just after it, and once the pass is over the two agree.
        var metrics = ""
        var overcounts: [String] = []
        let completed = try await eventually {
                metrics = try await scrape(address).text
                let counted = value("nachet_sync_pictures_stored_total", in: metrics) ?? 0
                let stored = try pictures()
                if counted > Double(stored) { overcounts.append("\(counted) counted, \(stored) in the catalogue") }
                return counted == 12 && value("nachet_sync_folders_in_error", in: metrics) == 1
            }
        #expect(completed, "\(metrics)")
        #expect(overcounts.isEmpty, "\(overcounts)")

        #expect(value("nachet_sync_pictures_stored_total", in: metrics) == Double(try pictures()))
        #expect(value("nachet_sync_bytes_stored_total", in: metrics) == Double(sizes), "\(metrics)")
        #expect(value("nachet_sync_failures_total{reason=\"invalid_metadata\"}", in: metrics) == 1, "\(metrics)")
        #expect(value("nachet_sync_files_pending", in: metrics) == 1, "the image of the folder with a typo: \(metrics)")
        #expect(value("nachet_sync_folders_pending", in: metrics) == 0)
        #expect(value("nachet_sync_pictures_in_flight", in: metrics) == 0)
        #expect((value("nachet_sync_last_upload_timestamp_seconds", in: metrics) ?? 0) > Date().timeIntervalSince1970 - 600)
        #expect((value("nachet_sync_rescans_total", in: metrics) ?? 0) >= 1)
        #expect(value("nachet_sync_inotify_overflows_total", in: metrics) == 0)
        #expect(metrics.contains("nachet_sync_catalogue_seconds_bucket{operation=\"insert_pictures\",le="), "\(metrics)")
        #expect(metrics.contains("nachet_sync_blob_store_seconds_count{operation=\"stage\"}"), "\(metrics)")
        #expect(try await scrape(address, path: "/").status == 404)
        #expect(try await watch.stop() == 0)
    }
}
