import ArgumentParser
import Foundation
import NachetSync

/// `nachet-sync seeds`: the seed catalogue.
struct SeedsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seeds",
        abstract: "List the seeds of the catalogue: the names metadata.json may use in seed_name.",
        discussion: """
            EXAMPLE
              nachet-sync seeds
              nachet-sync seeds --ids
            """
    )

    @OptionGroup var options: GlobalOptions
    @OptionGroup(title: "Through Nachet's batch-import API") var api: APIOptions

    @Flag(help: "Also print each seed's id (for seed_id).")
    var ids = false

    func run() async throws {
        try await runAgent {
            let settings = try options.settings()
            let agent = try options.openAgent(settings, api: api, logger: options.makeLogger(settings))
            let seeds: [Seed]
            do {
                seeds = try await agent.destination.seeds()
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
            for seed in seeds {
                print(ids ? "\(seed.id.lowercased)  \(seed.name)" : seed.name)
            }
        }
    }
}
