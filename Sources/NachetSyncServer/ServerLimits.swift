import Foundation

/// How much time, bandwidth, connections and memory `serve` gives its
/// clients: the bounds nginx and Envoy put on a server on a network, so that
/// slow or hostile clients cannot take it down or starve the others.
///
/// Each limit is a setting (`NACHET_SYNC_SERVE_*` and a flag of `serve`);
/// the defaults are those of a server on a lab's network, argued at each.
package struct ServerLimits: Sendable, Equatable {
    /// Time a new connection has to send a whole request head (TLS
    /// handshake included), from the moment it is accepted: 20 s, the lower
    /// end of Apache's `mod_reqtimeout` (20–40 s; nginx waits 60 s). A head
    /// is a few hundred bytes: a client on a poor link sends it in well
    /// under a second, and a client sending one byte every few seconds
    /// (slowloris) holds a connection for 20 s, not for ever.
    package var headerTimeout: Duration
    /// Time a kept-alive connection may wait for its next request to arrive
    /// whole, from the end of the previous answer: 75 s, nginx's
    /// `keepalive_timeout`, longer than the 60 s after which the agent's
    /// client closes an idle connection itself (so the client, not the
    /// server, closes it, and no request is sent on a connection being closed).
    package var keepAliveTimeout: Duration
    /// The slowest average rate, in bytes per second, at which a request
    /// body must arrive and an answer be taken, measured over
    /// ``rateWindow`` of the server waiting for the client: 1 KiB/s, the
    /// rate below which a 16 MiB request would take over four hours. 0
    /// turns the check off.
    package var minimumRate: Int
    /// The span over which ``minimumRate`` is averaged: 30 s, so a client
    /// on a link that stalls for a few seconds (Wi-Fi, a VPN) is not cut.
    package var rateWindow: Duration
    /// Open connections at once: 512. Each costs a descriptor and a little
    /// memory; an answer waiting for its client holds one piece of it
    /// (``GetPictureRoute/pieceSize``), so 512 stay well within the
    /// memory of a small server. When full, a new connection takes the place
    /// of the one waiting longest for a request; with none waiting, it is
    /// closed at once.
    package var maximumConnections: Int
    /// Open connections from one address at once (one IPv6 /64 counting as
    /// one address): 64, twice what one agent opens at its largest
    /// `--parallel-uploads` (32), so one machine cannot take every
    /// connection. 0: no such limit. Connections from `127.0.0.1` and `::1`
    /// (a reverse proxy on this machine, through which every client comes)
    /// count toward ``maximumConnections`` only.
    package var maximumConnectionsPerAddress: Int
    /// Time the requests in flight have to finish once SIGTERM or SIGINT
    /// asks the server to stop, after which the connections still open are
    /// closed: 20 s, well within systemd's `TimeoutStopSec` (120 s in the
    /// unit), so the server always stops by itself rather than by SIGKILL.
    package var drainTimeout: Duration
    /// Bytes of JSON request bodies held in memory at once: 64 MiB, four
    /// bodies at Nachet's 16 MiB limit. Each body takes its share as its
    /// bytes arrive, so a slow upload holds only what it sent.
    package var jsonBodyMemory: Int
    /// Bytes of `/get-picture` answers being read from the blob store and
    /// encoded at once: 32 MiB. An answer waiting for its client holds one
    /// piece beyond it.
    package var downloadMemory: Int

    package init(
        headerTimeout: Duration = .seconds(20),
        keepAliveTimeout: Duration = .seconds(75),
        minimumRate: Int = 1024,
        rateWindow: Duration = .seconds(30),
        maximumConnections: Int = 512,
        maximumConnectionsPerAddress: Int = 64,
        drainTimeout: Duration = .seconds(20),
        jsonBodyMemory: Int = 64 << 20,
        downloadMemory: Int = 32 << 20
    ) {
        self.headerTimeout = headerTimeout
        self.keepAliveTimeout = keepAliveTimeout
        self.minimumRate = minimumRate
        self.rateWindow = rateWindow
        self.maximumConnections = maximumConnections
        self.maximumConnectionsPerAddress = maximumConnectionsPerAddress
        self.drainTimeout = drainTimeout
        self.jsonBodyMemory = jsonBodyMemory
        self.downloadMemory = downloadMemory
    }

    /// The limits with every connection cap lowered to what `descriptors`
    /// (the process's soft `RLIMIT_NOFILE`) allows, keeping
    /// ``reservedDescriptors`` for the datastore, spool files and the like.
    package func fitting(descriptors: Int) -> ServerLimits {
        var fitted = self
        let room = max(1, descriptors - Self.reservedDescriptors)
        fitted.maximumConnections = min(maximumConnections, room)
        return fitted
    }

    /// Descriptors kept for what is not a client's connection.
    package static let reservedDescriptors = 128
}
