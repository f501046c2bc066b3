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

/// `nachet-sync serve token add NAME EMAIL…`, or `--admin NAME`.
struct ServeTokenAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Make a token for a lab PC, acting for the users named (or an administrator's, --admin), and print it once.",
        discussion: """
            Appends `NAME sha256:HASH EMAIL…` to the tokens file (created, readable by its \
            owner only, when missing) and prints the token on standard output: it is not \
            kept anywhere, only its SHA-256 is, so a copy of the file lets nobody in. Put \
            the token in the PC's configuration, then reload the server (SIGHUP, \
            `systemctl reload nachet-sync-serve`). To revoke it, delete its line and reload.

            With --admin, the token is an administrator's (`NAME sha256:HASH @admin`): it \
            opens the fleet page (/fleet, /fleet.json; a browser asks for it, as the \
            password) and none of Nachet's routes. A lab PC's token never opens the page.

            EXAMPLE
              nachet-sync serve token add --tokens-file /etc/nachet-sync/tokens lab-pc-3 tech@lab.example other@lab.example
              nachet-sync serve token add --tokens-file /etc/nachet-sync/tokens --admin ops-alice
            """
    )

    @Flag(help: "An administrator's token: it opens the fleet page (/fleet) and acts for no user.")
    var admin = false

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

    @Argument(help: "The e-mails of the users the token may act for (none with --admin).")
    var users: [String] = []

    func validate() throws {
        if admin {
            guard users.isEmpty else { throw ValidationError("an administrator's token (--admin) acts for no user: name none") }
        } else {
            guard !users.isEmpty else { throw ValidationError("name at least one user (e-mail) the token may act for") }
        }
    }

    func run() async throws {
        try await runAgent {
            do {
                let settings = try Settings.load(file: configFile)
                guard let path = tokensFile ?? settings[.serveTokensFile] else {
                    throw ConfigurationError("name the tokens file: --tokens-file FILE (or \(Setting.serveTokensFile.variable))")
                }
                let file = AgentConfiguration.absolute(path)
                let token = try TokensFile.add(name: name, users: users, admin: admin, to: file)
                print(token)
                let grants = admin ? "the fleet page (an administrator's)" : users.joined(separator: ", ")
                FileHandle.standardError.writeUnlessClosed(
                    "nachet-sync: token \(name) added to \(file) for \(grants); it is shown only now. Reload the server (SIGHUP) to accept it.\n"
                )
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
        }
    }
}
