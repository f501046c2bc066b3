import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// `nachet-sync status`: the same word for a folder in its text and its
/// JSON, exit code 2 when a folder needs attention, and nothing written.
@Suite("nachet-sync status")
struct StatusCommandTests {
    /// The names in `directory`, hidden ones included.
    private func entries(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    @Test func withoutAStateFileItSaysSoAndCreatesNothing() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")

        let text = try await CommandLineTests().run(["status", "--state-dir", state])
        let json = try await CommandLineTests().run(["status", "--state-dir", state, "--json"])

        #expect(text.status == 0, "\(text.errors)")
        #expect(text.output.contains("No state file in \(state): nothing was synced with this state directory yet"), "\(text.output)")
        #expect(json.status == 0)
        #expect(json.output.trimmingCharacters(in: .whitespacesAndNewlines) == "[\n\n]" || json.output.contains("[]"), "\(json.output)")
        #expect(!FileManager.default.fileExists(atPath: state), "no state directory made")
        #expect(entries(directory.path).isEmpty, "nothing made at all: \(entries(directory.path))")
    }

    @Test func textAndJSONSayTheSameWordAndAFolderWithErrorsIsExitCode2() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = directory.appending("drop")
        try FileManager.default.copyItem(atPath: CommandLineTests.examples, toPath: drop)
        #expect(try await CommandLineTests().run(["user", "add", "--state-dir", state, "tech@lab.example"]).status == 0)
        #expect(try await CommandLineTests().run(["sync", "--state-dir", state, drop]).status == 2)
        let before = entries(state)

        let text = try await CommandLineTests().run(["status", "--state-dir", state])
        let json = try await CommandLineTests().run(["status", "--state-dir", state, "--json"])

        #expect(text.status == 2, "bromus-typo's metadata.json is invalid: \(text.output)")
        #expect(json.status == 2)
        let folders = try #require(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]])
        let words = Dictionary(
            uniqueKeysWithValues: folders.compactMap { folder in
                (folder["path"] as? String).map { (($0 as NSString).lastPathComponent, folder["status"] as? String ?? "?") }
            })
        #expect(
            words == ["bromus-typo": "invalid", "canola-2026-11-03": "done", "incoming-no-metadata": "waiting", "thistle-batch-7": "done"],
            "\(words)")
        // The text says each folder's word, after its path.
        let lines = text.output.split(separator: "\n").map(String.init)
        for (name, word) in words {
            let index = try #require(lines.firstIndex { $0.hasSuffix("/" + name) })
            #expect(lines[index + 1] == "  status: \(word)" || lines[index + 1].hasPrefix("  status: \(word) — "), "\(lines[index + 1])")
        }
        #expect(entries(state) == before, "status wrote nothing: \(before) → \(entries(state))")

        // Fixed, the folder is done and the exit code 0.
        try FileManager.default.removeItem(atPath: drop + "/bromus-typo")
        #expect(try await CommandLineTests().run(["sync", "--state-dir", state, drop]).status == 0)
        #expect(try await CommandLineTests().run(["status", "--state-dir", state]).status == 0)
    }
}
