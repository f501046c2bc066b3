import Foundation
import Glibc

/// A loopback port that no other test can be handed while this one leaves
/// it free: one below the kernel's ephemeral range
/// (`/proc/sys/net/ipv4/ip_local_port_range`), from which every `bind` to
/// port 0 draws.
///
/// A port from that range, once closed, may be handed to the next listener
/// any test opens; a test that needs a port to refuse connections for a
/// while (a store that is down, then comes back on the same port) would
/// then find some other test's server there.
package enum QuietPort {
    /// A port below the ephemeral range that nothing holds now.
    package static func free() throws -> Int {
        let lowestEphemeral = ephemeralRangeStart()
        let candidates = 10_000..<max(10_001, min(lowestEphemeral, 32_768))
        for _ in 0..<200 {
            let port = Int.random(in: candidates)
            if isFree(port) { return port }
        }
        throw TestSetupError("no free loopback port below \(lowestEphemeral)")
    }

    /// The first port of the ephemeral range (32768 when it cannot be read).
    static func ephemeralRangeStart() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        return text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
    }

    /// Whether `port` can be bound on 127.0.0.1 now.
    static func isFree(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
