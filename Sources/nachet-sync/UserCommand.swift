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
            nothing and prints its id. Addresses that differ only in case or Unicode form \
            (Éve@lab.example, éve@lab.example) are one user: a second spelling of a \
            registered address is refused, naming the one registered. The address is \
            stored in Unicode's composed form (NFC).

            EXAMPLE
              nachet-sync user add tech@lab.example
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The user's e-mail address, as metadata.json will give it in user_email.")
    var email: String

    func validate() throws {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw ValidationError("\"\(email)\" is not an e-mail address")
        }
        let invisible = email.unicodeScalars.first { scalar in
            scalar.properties.isWhitespace || [.control, .format].contains(scalar.properties.generalCategory)
        }
        if let invisible {
            throw ValidationError(
                "\"\(email.escapingControlCharacters)\" is not an e-mail address: it holds \(invisible.codePoint) (a space, control or invisible character); type the address again"
            )
        }
    }

    func run() async throws {
        try await runAgent {
            let settings = try options.settings()
            let agent = try options.openAgent(settings, logger: options.makeLogger(settings))
            let spelling = email.precomposedStringWithCanonicalMapping
            let (user, created): (CatalogueUser, Bool)
            do {
                (user, created) = try await agent.engine.registerUser(email: spelling)
            } catch {
                throw AgentExit.cannotRun("\(error)")
            }
            if created {
                print("registered \(user.email): \(user.id.lowercased)")
            } else if user.email.precomposedStringWithCanonicalMapping == spelling {
                print("\(user.email) is already registered: \(user.id.lowercased)")
            } else {
                throw AgentExit.cannotRun(
                    "\"\(email)\" is already registered as \"\(user.email)\" (user \(user.id.lowercased)): addresses that differ only in case or Unicode form are one user; give \"\(user.email)\" in metadata.json and the tokens file"
                )
            }
        }
    }
}
