import ArgumentParser
import Foundation
import NachetSync
import NachetSyncServer

/// `nachet-sync serve token`: the bearer tokens of `serve`.
struct ServeTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage the bearer tokens `serve` accepts.",
        subcommands: [ServeTokenAddCommand.self]
    )
}

/// `nachet-sync serve token add NAME EMAIL…`.
struct ServeTokenAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Make a token for a lab PC, acting for the users named, and print it once.",
        discussion: """
            Appends `NAME sha256:HASH EMAIL…` to the tokens file (created, readable by its \
            owner only, when missing) and prints the token on standard output: it is not \
            kept anywhere, only its SHA-256 is, so a copy of the file lets nobody in. Put \
            the token in the PC's configuration, then reload the server (SIGHUP, \
            `systemctl reload nachet-sync-serve`). To revoke it, delete its line and reload.

            EXAMPLE
              nachet-sync serve token add --tokens-file /etc/nachet-sync/tokens lab-pc-3 tech@lab.example other@lab.example
            """
    )

    @Option(
        name: .customLong("config"),
        help: ArgumentHelp("A file of NACHET_* settings, for \(Setting.serveTokensFile.variable).", valueName: "file"))
    var configFile: String?

    @Option(
        name: .customLong("tokens-file"),
        help: ArgumentHelp("The tokens file (\(Setting.serveTokensFile.variable)).", valueName: "file"))
    var tokensFile: String?

    @Argument(help: "A name for the token, such as the PC's (letters, digits, '.', '-', '_'); logs show it.")
    var name: String

    @Argument(help: "The e-mails of the users the token may act for.")
    var users: [String]

    func validate() throws {
        guard !users.isEmpty else { throw ValidationError("name at least one user (e-mail) the token may act for") }
    }

    func run() async throws {
        try await runAgent {
            do {
                let settings = try Settings.load(file: configFile)
                guard let path = tokensFile ?? settings[.serveTokensFile] else {
                    throw ConfigurationError("name the tokens file: --tokens-file FILE (or \(Setting.serveTokensFile.variable))")
                }
                let file = AgentConfiguration.absolute(path)
                let token = try TokensFile.add(name: name, users: users, to: file)
                print(token)
                FileHandle.standardError.writeUnlessClosed(
                    "nachet-sync: token \(name) added to \(file) for \(users.joined(separator: ", ")); it is shown only now. Reload the server (SIGHUP) to accept it.\n"
                )
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
        }
    }
}
