import Foundation

/// Where `watch --metrics-listen` serves its metrics: `HOST:PORT`,
/// `[IPv6]:PORT`, or a port alone (on 127.0.0.1).
package struct MetricsListenAddress: Sendable, Equatable, CustomStringConvertible {
    package var host: String
    package var port: Int

    /// Reads the flag's or setting's value; `nil` when it is not an address.
    package init?(parsing text: String) {
        let value = text.trimmingCharacters(in: .whitespaces)
        let hostPart: Substring
        let portPart: Substring
        if value.hasPrefix("[") {
            guard let close = value.firstIndex(of: "]"), value[value.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = value[value.index(after: value.startIndex)..<close]
            portPart = value[value.index(close, offsetBy: 2)...]
        } else if let colon = value.lastIndex(of: ":") {
            hostPart = value[..<colon]
            portPart = value[value.index(after: colon)...]
            guard !hostPart.contains(":") else { return nil }
        } else {
            hostPart = "127.0.0.1"
            portPart = value[...]
        }
        guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }),
            portPart.allSatisfy(\.isNumber), let port = Int(portPart), (0...65_535).contains(port)
        else { return nil }
        host = String(hostPart)
        self.port = port
    }

    package var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// What a value that is not an address should look like.
    package static let expectation = "HOST:PORT, such as 127.0.0.1:9464 (or [::1]:9464; a port alone listens on 127.0.0.1)"
}
