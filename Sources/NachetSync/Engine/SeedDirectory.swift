import Foundation

/// The seed catalogue, indexed for the lookups metadata needs.
package struct SeedDirectory: Sendable {
    private let byName: [String: Seed]
    private let byID: [UUID: Seed]
    private let names: [String]

    init(_ seeds: [Seed]) {
        var byName: [String: Seed] = [:]
        for seed in seeds { byName[Self.key(seed.name)] = byName[Self.key(seed.name)] ?? seed }
        self.byName = byName
        byID = Dictionary(seeds.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        names = seeds.map(\.name).sorted()
    }

    /// The seed `reference` names (names compared without case or extra spaces).
    package func seed(_ reference: SetMetadata.SeedReference) -> Seed? {
        switch reference {
        case .name(let name): byName[Self.key(name)]
        case .id(let id): byID[id]
        }
    }

    /// The problem to report for a reference that names no seed.
    func unknownSeedProblem(_ reference: SetMetadata.SeedReference, field: String) -> MetadataProblem {
        switch reference {
        case .name(let name):
            let suggestions = NameSuggestions.closest(to: name, among: names)
            let hint =
                suggestions.isEmpty
                ? "use a name listed by `nachet-sync seeds`"
                : "did you mean " + suggestions.map { "\"\($0)\"" }.joined(separator: " or ") + "? (`nachet-sync seeds` lists them all)"
            return MetadataProblem(field: field, message: "unknown seed \"\(name)\"", fix: hint)
        case .id(let id):
            return MetadataProblem(
                field: field,
                message: "no seed has the id \(id.lowercased)",
                fix: "use seed_name with a name listed by `nachet-sync seeds`, or copy the id from there"
            )
        }
    }

    private static func key(_ name: String) -> String {
        name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
