import Foundation
import NachetSyncTestSupport
import Testing

/// The benchmark harness runs from a fresh clone: its quick mode, every case,
/// every peer measured (rclone, openssl and friends come from dev-setup.sh).
/// Figures are not judged here: a 2-core CI machine is too noisy for that.
@Suite("benchmark harness")
struct BenchmarkHarnessTests {
    private struct Document: Decodable {
        struct Result: Decodable {
            var name: String
            var peer: String
            var values: [String: Double]
        }

        var results: [Result]
    }

    @Test func theQuickRunMeasuresEveryCaseAndItsPeer() async throws {
        let executable = URL(fileURLWithPath: CommandLineTests.executable).deletingLastPathComponent()
            .appendingPathComponent("nachet-sync-benchmark").path
        try #require(FileManager.default.isExecutableFile(atPath: executable), "swift build makes \(executable)")
        let directory = TemporaryDirectory()
        let json = directory.appending("results.json")

        // Two minutes on a loaded 2-core machine; the limit only catches a hang.
        let run = try await CommandLineTests().run([:], executable: executable, arguments: ["--quick", "--json", json], timeout: .seconds(1200))

        #expect(run.status == 0, "\(run.output)\n\(run.errors)")
        let document = try JSONDecoder().decode(Document.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        let names = document.results.map(\.name)
        for expected in [
            "SHA-256", "catalogue rows, sqlite", "catalogue rows, postgres", "embedded default", "one 32 MiB image", "restart",
            "PostgreSQL 20 ms away, rescan", "PostgreSQL 20 ms away, 50 new", "watch latency", "idle watch",
            "through serve on loopback", "through serve 20 ms away", "serve, 4 agents",
            // Issue 22: thousands of small sets far away.
            "PostgreSQL 20 ms away, first sync of", "PostgreSQL 20 ms away, datastore check of",
            "PostgreSQL 20 ms away, the same database by another address", "PostgreSQL 20 ms away, lost state file",
            "Azure emulator 20 ms away, 20 new sets", "through serve 20 ms away, 20 new sets", "Azure emulator 100 ms away,",
        ] {
            #expect(names.contains { $0.hasPrefix(expected) }, "\(expected) in \(names)")
        }
        #expect(names.filter { $0.hasPrefix("Azure emulator,") }.count == 3)
        #expect(names.filter { $0.hasPrefix("Azure emulator 20 ms away,") }.count == 2)
        for result in document.results where result.name.hasPrefix("Azure") && !result.name.contains("new sets") {
            #expect(result.values["rclone_seconds", default: -1] > 0, "rclone measured in the same run: \(result.peer)")
            #expect(result.values["agent_seconds", default: -1] > 0)
        }
        // Each peer measured in the same run, by the name of its figure.
        let peers = [
            "SHA-256": ["openssl_seconds", "sha256sum_seconds"], "embedded default": ["cp_seconds"],
            "one 32 MiB image": ["pipeline_seconds"],
            "restart": ["find_seconds"], "PostgreSQL 20 ms away, rescan": ["direct_seconds", "find_seconds"],
            "PostgreSQL 20 ms away, 50 new": ["direct_seconds"], "through serve on loopback": ["direct_seconds"],
            "PostgreSQL 20 ms away, lost state file": ["hashing_seconds"],
        ]
        for (prefix, figures) in peers {
            let result = try #require(document.results.first { $0.name.hasPrefix(prefix) })
            for figure in figures + ["agent_seconds"] {
                #expect(result.values[figure, default: -1] > 0, "\(figure) of \(result.name): \(result.peer)")
            }
        }
        for result in document.results where result.values["agent_peak_rss_kib"] != nil {
            #expect(result.values["agent_peak_rss_kib", default: 0] > 0, "peak RSS sampled for \(result.name)")
        }
    }
}
