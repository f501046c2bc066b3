import Testing

@testable import NachetSync

@Suite("Did-you-mean suggestions")
struct NameSuggestionsTests {
    @Test func aTypoSuggestsTheNearNameOnly() {
        #expect(NameSuggestions.closest(to: "Bromus secalnus", among: DefaultSeeds.names) == ["Bromus secalinus"])
        #expect(NameSuggestions.closest(to: "brassica napus", among: DefaultSeeds.names).first == "Brassica napus")
    }

    @Test func aLooseMatchSuggestsTheNearestFew() {
        let suggestions = NameSuggestions.closest(to: "Solanum", among: DefaultSeeds.names)
        #expect(suggestions.isEmpty || suggestions.allSatisfy { $0.hasPrefix("Solanum") })
    }

    @Test func somethingUnrelatedSuggestsNothing() {
        #expect(NameSuggestions.closest(to: "Zea mays maize corn", among: DefaultSeeds.names).isEmpty)
    }

    @Test func aVeryLongNameSuggestsNothingWithoutComputingDistances() {
        let started = ContinuousClock.now
        #expect(NameSuggestions.closest(to: String(repeating: "Bromus secalinus ", count: 60_000), among: DefaultSeeds.names).isEmpty)
        #expect(NameSuggestions.closest(to: String(repeating: "z", count: 1 << 20), among: SetMetadata.topLevelFields).isEmpty)
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
