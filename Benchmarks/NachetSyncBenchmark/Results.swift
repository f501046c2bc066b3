import Foundation

/// One case's outcome: the agent's figure, the peer's measured in the same
/// run, their ratio, and the goal.
struct CaseResult: Codable {
    /// What was measured, e.g. "Azure emulator, 2,000 × 2 MiB".
    var name: String
    var agent: String
    /// The peer's figure, or why there is none.
    var peer: String
    /// Agent against peer, in the goal's terms ("1.31× rclone's files/s").
    var ratio: String
    var goal: String
    /// Whether the goal is met; `nil` when there is no goal to check.
    var met: Bool?
    /// The raw numbers, for the JSON output.
    var values: [String: Double]
}

/// The table printed at the end and the JSON written beside it.
struct ResultTable {
    var results: [CaseResult] = []

    mutating func add(_ result: CaseResult) {
        results.append(result)
        print("  \(result.name): \(result.agent) | peer: \(result.peer) | \(result.ratio)")
    }

    /// A Markdown table, ready for docs/performance.md.
    var markdown: String {
        var lines = ["| case | nachet-sync | peer (same run) | ratio | goal | met |", "|---|---|---|---|---|---|"]
        for result in results {
            let met = result.met.map { $0 ? "yes" : "**no**" } ?? "–"
            lines.append("| \(result.name) | \(result.agent) | \(result.peer) | \(result.ratio) | \(result.goal) | \(met) |")
        }
        return lines.joined(separator: "\n")
    }

    func writeJSON(to path: String, machine: [String: String]) throws {
        struct Document: Codable {
            var machine: [String: String]
            var results: [CaseResult]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(Document(machine: machine, results: results)).write(to: URL(fileURLWithPath: path))
    }
}

/// Number formatting for the table.
enum Show {
    static func rate(_ value: Double, _ unit: String) -> String { String(format: value >= 100 ? "%.0f %@" : "%.1f %@", value, unit) }
    static func seconds(_ value: Double) -> String { value < 1 ? String(format: "%.0f ms", value * 1000) : String(format: "%.2f s", value) }
    static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }
    static func mebibytes(kibibytes: Int) -> String { String(format: "%.0f MiB", Double(kibibytes) / 1024) }
    /// " (A to B MiB/s over N rounds)" for several rounds' times of
    /// `mebibytes`, nothing for one.
    static func spread(mebibytes: Double, seconds: [Double]) -> String {
        spread(mebibytes, "MiB/s", seconds: seconds)
    }
    /// ` (<slowest> to <fastest> <unit> over N rounds)` of `amount` done in
    /// each of `seconds`; nothing for one round.
    static func spread(_ amount: Double, _ unit: String, seconds: [Double]) -> String {
        let rates = seconds.map { amount / $0 }
        guard rates.count > 1, let slowest = rates.min(), let fastest = rates.max() else { return "" }
        return " (\(rate(slowest, "to")) \(rate(fastest, unit)) over \(rates.count) rounds)"
    }
    static func milliseconds(_ duration: Duration) -> String { String(format: "%.0f ms", Seconds.of(duration) * 1000) }
}
