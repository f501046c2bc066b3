import Foundation
import NachetSync

extension DelayingProxy {
    /// Starts a proxy in front of the server `url` names (`postgresql://…`,
    /// `http://…`), adding `roundTrip`.
    ///
    /// - Returns: The proxy, and `url` rerouted through it.
    package static func start(inFrontOf url: String, roundTrip: Duration) async throws -> (proxy: DelayingProxy, url: String) {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw TestSetupError("not a URL with a host: \(SecretMasking.maskConnectionString(url))")
        }
        let defaultPort = components.scheme?.hasPrefix("postgres") == true ? 5432 : 80
        let proxy = try await start(to: components.port ?? defaultPort, on: host, roundTrip: roundTrip)
        return (proxy, try proxy.rerouting(url))
    }

    /// `url` with its host and port replaced by this proxy's, for a client
    /// to reach the same server (and database, path, credentials) through it.
    package func rerouting(_ url: String) throws -> String {
        guard var components = URLComponents(string: url) else {
            throw TestSetupError("not a URL: \(SecretMasking.maskConnectionString(url))")
        }
        components.host = "127.0.0.1"
        components.port = port
        guard let rerouted = components.string else { throw TestSetupError("cannot rewrite the address of a URL") }
        return rerouted
    }
}
