import ArgumentParser
import Foundation
import NachetSync

/// `nachet-sync seeds`: the seed catalogue.
struct SeedsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seeds",
        abstract: "List the seeds of the catalogue: the names metadata.json may use in seed_name.",
        discussion: """
            The blob store is asked too (one read of a blob that does not exist): a store that \
            cannot be reached, or refuses the credentials, is exit code 3 with the reason.

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
            // The blob store too: `seeds` is how a technician checks a new
            // configuration, and a wrong blob store must not pass for right.
            async let blobStoreAnswers: Void = agent.checkBlobStore()
            let seeds: [Seed]
            do {
                seeds = try await agent.destination.seeds()
                try await blobStoreAnswers
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
            for seed in seeds {
                print(ids ? "\(seed.id.lowercased)  \(seed.name)" : seed.name)
            }
        }
    }
}
