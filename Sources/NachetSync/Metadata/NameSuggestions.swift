import Foundation

/// Finds the known names closest to a mistyped one, for "did you mean" hints.
enum NameSuggestions {
    /// Up to `limit` names from `candidates`, closest to `name` first, leaving
    /// out those too far to be a typo.
    static func closest(to name: String, among candidates: [String], limit: Int = 3) -> [String] {
        // A name over twice as long as every candidate (plus 3) is further
        // from each than either rule below allows: the length difference
        // alone exceeds a third of its length. Said without computing
        // distances, whose cost grows with the name's length.
        let longest = candidates.map(\.count).max() ?? 0
        guard name.count <= 2 * longest + 3 else { return [] }
        let target = Array(name.lowercased())
        let ranked = candidates.map { candidate -> (name: String, distance: Int) in
            (candidate, editDistance(target, Array(candidate.lowercased())))
        }
        // A near miss (one or two typos) hides the looser matches: "Bromus
        // secalnus" suggests "Bromus secalinus", not every Bromus. Otherwise a
        // name that starts another ("zoom" for "zoom_level") counts too.
        let lowered = name.lowercased()
        let near = ranked.filter { $0.distance <= 2 }
        let tolerance = max(2, target.count / 3)
        let loose = ranked.filter { candidate in
            candidate.distance <= tolerance || (lowered.count >= 3 && candidate.name.lowercased().hasPrefix(lowered))
        }
        return (near.isEmpty ? loose : near)
            .sorted { ($0.distance, $0.name) < ($1.distance, $1.name) }
            .prefix(limit)
            .map(\.name)
    }

    /// Levenshtein distance: insertions, deletions and substitutions.
    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
