import AsyncHTTPClient
import NIOCore
import NIOPosix

/// The HTTP client every Azure request goes through: one for the process,
/// never shut down (as `HTTPClient.shared`), with timeouts that make an
/// unreachable service plain within seconds.
///
/// `HTTPClient.shared` waits 90 s for a connection and retries refused
/// connections silently until the request's deadline, so a blob store that
/// refuses connections made `sync` print nothing for minutes. Here a
/// connection must be made within ``connectTimeout`` and is not retried
/// inside the client: each failure comes back at once to
/// ``AzureBlobClient``, which says it, waits, and retries until the give-up
/// time. Redirects are not followed (a request URL may hold a SAS).
enum AzureHTTP {
    /// How long a connection (TCP and TLS) may take to be made.
    static let connectTimeout = TimeAmount.seconds(5)

    /// The client.
    static let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)

    static var configuration: HTTPClient.Configuration {
        // As many connections as pictures may be in flight: with AHC's
        // default of 8, a store far away waits on the pool, not on the path.
        var pool = HTTPClient.Configuration.ConnectionPool(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: PictureWindow.adaptiveMaximum)
        pool.retryConnectionEstablishment = false
        return HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: HTTPClient.Configuration.Timeout(connect: connectTimeout, read: .seconds(60)),
            connectionPool: pool
        )
    }
}
