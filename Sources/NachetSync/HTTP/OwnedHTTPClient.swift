import AsyncHTTPClient
import NIOCore
import Synchronization

/// An AsyncHTTPClient client with one owner, shut down when that owner is
/// done with it: at ``shutdown()``, or when the last reference goes.
///
/// AsyncHTTPClient wants every client shut down before it goes (else its
/// connections and their descriptors stay open). The agent's API
/// destination makes one per configuration, and `watch` makes a new one at
/// each reload: the one it replaces is shut down, so 1,000 reloads hold the
/// connections of one.
final class OwnedHTTPClient: Sendable {
    /// The client; do not use it after ``shutdown()``.
    let client: HTTPClient
    private let isShutDown = Atomic(false)

    init(configuration: HTTPClient.Configuration) {
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the client's connections; requests in flight fail. Later
    /// calls do nothing.
    func shutdown() async {
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? await client.shutdown()
    }

    deinit {
        // Nobody holds it any more, so nothing is in flight: closed in the
        // background (the callback keeps the client until it is done).
        guard !isShutDown.exchange(true, ordering: .acquiringAndReleasing) else { return }
        let closing: EventLoopFuture<Void> = client.shutdown()
        closing.whenComplete { _ in }
    }
}
