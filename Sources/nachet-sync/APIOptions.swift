import ArgumentParser
import Foundation
import Logging
import NachetSync

/// Options of the commands that upload (`sync`, `watch`) or read the seeds:
/// where Nachet's batch-import API is, when pictures go through it instead
/// of into the datastore.
struct APIOptions: ParsableArguments {
    @Option(
        name: .customLong("nachet-url"),
        help: ArgumentHelp(
            "Upload through Nachet's batch-import API at this URL (nachet-sync serve, or Nachet's own backend) instead of writing the datastore.",
            discussion:
                "Default: \(Setting.apiURL.variable); unset, pictures go to the catalogue and blob store. Give it as https://nachet-sync.lab.example (or http://127.0.0.1:8080 for a server on this PC).",
            valueName: "url"
        )
    )
    var url: String?

    @Option(
        name: .customLong("token"),
        help: ArgumentHelp(
            "The bearer token the API gave this PC (`nachet-sync serve token add`).",
            discussion:
                "Default: \(Setting.token.variable). A token given here is visible to every user in `ps`: prefer \(Setting.token.variable) in a --config file (mode 0600) or the service's EnvironmentFile.",
            valueName: "token"
        )
    )
    var token: String?

    @Option(
        name: .customLong("nachet-ca-file"),
        help: ArgumentHelp(
            "A PEM file of certificate authorities to trust for the API's certificate, instead of the system's (\(Setting.apiCertificateAuthorities.variable)).",
            valueName: "file"))
    var certificateAuthorityFile: String?

    @Flag(
        name: .customLong("legacy-api"),
        help:
            "The API is Nachet's own backend: use its legacy routes without asking the server (\(Setting.legacyAPI.variable); default: found by asking GET /health)."
    )
    var legacy = false

    /// The API these options and `settings` name, or `nil` to write the
    /// datastore; warns about a token that others may see.
    func endpoint(_ settings: Settings, logger: Logger) throws(ConfigurationError) -> APIEndpoint? {
        guard let url = url ?? settings[.apiURL] else {
            if token != nil {
                throw ConfigurationError("--token is for the API: give its address too (--nachet-url or \(Setting.apiURL.variable))")
            }
            return nil
        }
        let configuredLegacy = try settings.flag(.legacyAPI) ?? false
        let legacy = self.legacy || configuredLegacy
        let endpoint = try APIEndpoint(
            url: url,
            token: token ?? settings[.token],
            certificateAuthorityFile: certificateAuthorityFile ?? settings[.apiCertificateAuthorities],
            dialect: legacy ? .legacy : .detect
        )
        if token != nil {
            logger.warning(
                "the token given with --token is visible to every user of this PC in `ps`; give it as \(Setting.token.variable) in a --config file (mode 0600) or the service's EnvironmentFile instead")
        }
        if endpoint.token != nil, !endpoint.isSecure, !endpoint.isLoopback {
            logger.warning(
                "the token is sent over plain HTTP to \(endpoint.location), readable on the network; use an https:// address",
                metadata: ["api": "\(endpoint.location)"])
        }
        return endpoint
    }
}
