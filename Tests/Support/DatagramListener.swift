import Foundation
import Glibc

/// A unix datagram socket standing in for systemd's notification socket
/// (`NOTIFY_SOCKET`): what the agent tells systemd, as the tests read it.
package final class DatagramListener {
    private let descriptor: Int32

    package init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw TestSetupError("cannot bind \(path)") }
    }

    deinit {
        close(descriptor)
    }

    /// The next message, or `nil` when none came within `timeoutMilliseconds`.
    /// Blocks its thread: call it from a thread of its own, or with a short timeout.
    package func receive(timeoutMilliseconds: Int32) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        return count > 0 ? String(decoding: buffer.prefix(count), as: UTF8.self) : nil
    }
}
