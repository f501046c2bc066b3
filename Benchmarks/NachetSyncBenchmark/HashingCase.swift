import Foundation
import NachetSync

/// Case 1: SHA-256 of one large file, warm cache: the agent's own hashing
/// (what the engine runs on every new file) against `openssl dgst -sha256`
/// and `sha256sum`.
struct HashingCase {
    var size: Int

    func run(in directory: String) async throws -> CaseResult {
        let path = directory + "/hash.png"
        try BenchmarkData.writeLargeImage(at: path, size: size, seed: 7)
        let mebibytes = Double(size) / Double(1 << 20)
        _ = try FileContent(path: path).sha256()  // warm the page cache

        var agentSeconds = Double.infinity
        for _ in 0..<3 {
            agentSeconds = min(agentSeconds, try await Seconds.measure { _ = try FileContent(path: path).sha256() })
        }
        func peer(_ tool: String, _ arguments: [String]) throws -> Double? {
            guard let executable = ChildRun.find(tool) else { return nil }
            return try (0..<3).map { _ in try ChildRun.run(executable, arguments + [path]).checked(tool).seconds }.min()
        }
        let openssl = try peer("openssl", ["dgst", "-sha256"])
        let sha256sum = try peer("sha256sum", [])
        let ratio = openssl.map { $0 / agentSeconds }
        return CaseResult(
            name: "SHA-256 of a \(Int(mebibytes)) MiB file (warm cache)",
            agent: Show.rate(mebibytes / agentSeconds, "MiB/s"),
            peer: [
                openssl.map { "openssl \(Show.rate(mebibytes / $0, "MiB/s"))" } ?? "openssl not installed",
                sha256sum.map { "sha256sum \(Show.rate(mebibytes / $0, "MiB/s"))" } ?? "sha256sum not installed",
            ].joined(separator: "; "),
            ratio: ratio.map { "\(Show.ratio($0)) openssl" } ?? "–",
            goal: "≥ 0.9× openssl",
            met: ratio.map { $0 >= 0.9 },
            values: [
                "agent_seconds": agentSeconds, "openssl_seconds": openssl ?? -1, "sha256sum_seconds": sha256sum ?? -1,
                "mebibytes": mebibytes,
            ]
        )
    }
}
