import Foundation
import Glibc

/// Loopback ports for tests of a store that cannot be reached: one where
/// nothing listens (connections are refused), and a listener that accepts
/// connections and never answers (a hung server, a firewall that swallows
/// replies).
package final class SilentListener: Sendable {
    /// The port it listens on, on 127.0.0.1.
    package let port: Int
    private let descriptor: Int32

    /// Listens on a free port and never accepts: the kernel completes the
    /// connections (up to its backlog) and nothing is ever read or written.
    package init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && listen(descriptor, 64) == 0
                    && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard listening else {
            close(descriptor)
            throw TestSetupError("cannot listen on 127.0.0.1")
        }
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }

    /// A loopback port nothing listens on: connections to it are refused.
    /// Below the ephemeral range (``QuietPort``), so no other test's
    /// listener is handed it while the test uses it.
    package static func refusingPort() throws -> Int {
        try QuietPort.free()
    }
}
