import ArgumentParser
import NachetSync

/// `nachet-sync db`: the catalogue's database.
struct DatabaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Prepare the catalogue's database.",
        subcommands: [DatabaseInitCommand.self]
    )
}

/// `nachet-sync db init`.
struct DatabaseInitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create Nachet's tables and its 15 default seeds where missing (development and test databases).",
        discussion: """
            Creates the schema (--schema / \(Setting.schema.variable)) when given, the tables users, seed, \
            picture_set, picture and picture_seed with Nachet's columns and keys, an index \
            on the picture content hash, and the default seeds when the seed table is empty. \
            Safe to run again. Needs CREATE rights; the agent itself then needs only SELECT, \
            INSERT and UPDATE. A production Nachet database already has its tables.

            EXAMPLE
              nachet-sync db init --catalogue postgresql://nachet@localhost/nachet_dev --schema nachet_dev
              \(Setting.catalogue.variable)=postgresql://nachet@localhost/nachet_dev nachet-sync db init
            """
    )

    @OptionGroup var options: GlobalOptions

    func run() async throws {
        try await runAgent {
            let settings = try options.settings()
            options.warnAboutExposedSecrets(settings, logger: options.makeLogger(settings))
            do {
                let configuration = try options.configuration(settings)
                switch configuration.catalogue {
                case .sqlite:
                    let catalogue = try configuration.openCatalogue()
                    print("\(catalogue.location): ready (\(try await catalogue.seeds().count) seeds)")
                case .postgres(let connection):
                    let seeds = try await PostgresCatalogue.initialize(connectionString: connection, schema: configuration.schema)
                    print("\(configuration.catalogue): tables ready\(seeds > 0 ? ", \(seeds) default seeds added" : "")")
                }
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
        }
    }
}
