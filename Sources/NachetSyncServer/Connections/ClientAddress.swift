import Foundation
import NIOCore

/// The address a client's connections are counted under for the
/// per-address limit.
enum ClientAddress {
    /// `remote`'s key: its IPv4 address, or its IPv6 /64 (one site's
    /// network: a host given a /64 can use any address in it); `nil` for
    /// an address with no per-address limit: this machine's `127.0.0.1` or
    /// `::1`, where a reverse proxy on the same host connects from for
    /// every client, or an unknown or Unix socket address.
    static func key(of remote: SocketAddress?) -> String? {
        switch remote {
        case .v4:
            guard let text = remote?.ipAddress, text != "127.0.0.1" else { return nil }
            return text
        case .v6(let address):
            var bytes = address.address.sin6_addr
            let octets = withUnsafeBytes(of: &bytes) { Array($0) }
            // An IPv4 client of a dual-stack socket: ::ffff:a.b.c.d.
            if octets[0..<10].allSatisfy({ $0 == 0 }), octets[10] == 0xff, octets[11] == 0xff {
                let text = octets[12...].map(String.init).joined(separator: ".")
                return text == "127.0.0.1" ? nil : text
            }
            if octets[0..<15].allSatisfy({ $0 == 0 }), octets[15] == 1 { return nil }
            let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(octets[$0]) << 8 | UInt16(octets[$0 + 1]), radix: 16) }
            return groups.joined(separator: ":") + "::/64"
        case .unixDomainSocket, nil:
            return nil
        }
    }
}
