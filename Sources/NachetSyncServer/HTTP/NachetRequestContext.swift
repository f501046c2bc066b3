import Foundation
import Hummingbird
import Logging
import NachetSync
import NIOCore
import Synchronization

/// What each request carries through the middleware and its route.
struct NachetRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by ``BearerAuthenticationMiddleware``; `nil` before it, and on
    /// the routes that need no token (`/health`).
    var caller: Caller?
    /// What the access log says of the request, filled in by the route
    /// (shared: the context is copied on its way down the middleware).
    let exchange: ExchangeRecord
    /// The peer's address, for the access log.
    let remoteAddress: String?
    /// The port the connection came to.
    let localPort: Int?
    /// The connection's event loop, where its writes are done.
    let eventLoop: any EventLoop

    init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        exchange = ExchangeRecord()
        remoteAddress = source.channel.remoteAddress?.ipAddress
        localPort = source.channel.localAddress?.port
        eventLoop = source.channel.eventLoop
    }
}

/// The parts of an access log line learnt on the way: who called, whom
/// the request acted for, how many body bytes it read, and the picture it
/// stored; what the metrics and the fleet learn of the request too.
final class ExchangeRecord: Sendable {
    private struct Fields {
        var caller: String?
        var machine: String?
        var user: String?
        var bytesIn: Int64 = 0
        var picture: StoredUpload?
        var datastoreFailure: NachetWire.ErrorCode?
    }

    /// A picture an upload stored, or found in its set.
    struct StoredUpload: Sendable {
        var isNew: Bool
        var bytes: Int64
    }

    private let fields = Mutex(Fields())

    /// Who called: the token's name (``Caller/logName``).
    var caller: String? {
        get { fields.withLock { $0.caller } }
        set { fields.withLock { $0.caller = newValue } }
    }

    /// The lab PC the request came from (``Caller/machine``).
    var machine: String? {
        get { fields.withLock { $0.machine } }
        set { fields.withLock { $0.machine = newValue } }
    }

    /// The picture the request stored or found, if it was an upload.
    var picture: StoredUpload? {
        get { fields.withLock { $0.picture } }
        set { fields.withLock { $0.picture = newValue } }
    }

    /// The code a failure of the datastore was answered with.
    var datastoreFailure: NachetWire.ErrorCode? {
        get { fields.withLock { $0.datastoreFailure } }
        set { fields.withLock { $0.datastoreFailure = newValue } }
    }

    /// The user the request acts for (a user id, or the e-mail asked about).
    var user: String? {
        get { fields.withLock { $0.user } }
        set { fields.withLock { $0.user = newValue } }
    }

    /// Request body bytes read so far.
    var bytesIn: Int64 { fields.withLock { $0.bytesIn } }

    func countIn(_ bytes: Int) {
        fields.withLock { $0.bytesIn += Int64(bytes) }
    }
}
