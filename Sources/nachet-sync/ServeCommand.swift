import ArgumentParser

/// `nachet-sync serve`: Nachet's batch-import API over the datastore.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve Nachet's batch-import API (and /get-directories, /get-picture) over the datastore.",
        discussion: """
            Lab PCs then hold a revocable bearer token instead of the datastore's keys: \
            only this service opens the catalogue and the blob store, from the same \
            configuration as the agent (flags, --config, NACHET_* variables).

            `nachet-sync serve` runs the server (`serve run`); `nachet-sync serve token add` \
            makes a token. docs/serve.md and docs/api.md (installed in \
            /usr/share/doc/nachet-sync/docs) describe it and every route.
            """,
        subcommands: [ServeRunCommand.self, ServeTokenCommand.self],
        defaultSubcommand: ServeRunCommand.self
    )
}
