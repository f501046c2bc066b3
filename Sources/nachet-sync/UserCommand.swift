import ArgumentParser
import Foundation
import NachetSync

/// `nachet-sync user`: users of the catalogue.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage the catalogue's users.",
        subcommands: [UserAddCommand.self]
    )
}

/// `nachet-sync user add EMAIL`.
struct UserAddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Register a user with its default picture set General, as Nachet does at sign-up.",
        discussion: """
            For the embedded catalogue and development databases; a production Nachet \
            registers its users itself. Registering an address that exists already does \
            nothing and prints its id.

            EXAMPLE
              nachet-sync user add tech@lab.example
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The user's e-mail address, as metadata.json will give it in user_email.")
    var email: String

    func validate() throws {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, !email.contains(" ") else {
            throw ValidationError("\"\(email)\" is not an e-mail address")
        }
    }

    func run() async throws {
        try await runAgent {
            let settings = try options.settings()
            let agent = try options.openAgent(settings, logger: options.makeLogger(settings))
            do {
                let (user, created) = try await agent.engine.registerUser(email: email)
                print(
                    created
                        ? "registered \(user.email): \(user.id.lowercased)" : "\(user.email) is already registered: \(user.id.lowercased)")
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
        }
    }
}
