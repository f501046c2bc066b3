import Foundation
import NIOHTTP1

/// A request as the emulator received it.
struct EmulatorRequest {
    var method: String
    /// The path as sent, percent-encoded.
    var rawPath: String
    /// The query items, decoded.
    var query: [(name: String, value: String)]
    var headers: HTTPHeaders
    var body: Data

    init(head: HTTPRequestHead, body: Data) {
        method = head.method.rawValue
        let uri = head.uri
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        rawPath = String(parts[0])
        query = []
        if parts.count > 1 {
            for item in parts[1].split(separator: "&") {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pair[0]).removingPercentEncoding ?? String(pair[0])
                let value = pair.count > 1 ? (String(pair[1]).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "") : ""
                query.append((name, value))
            }
        }
        headers = head.headers
        self.body = body
    }

    func queryValue(_ name: String) -> String? {
        query.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    func header(_ name: String) -> String? {
        headers.first(name: name)
    }

    /// The decoded path segments: account, container, blob name.
    var segments: (account: String, container: String?, blob: String?) {
        let decoded = rawPath.removingPercentEncoding ?? rawPath
        let trimmed = decoded.hasPrefix("/") ? String(decoded.dropFirst()) : decoded
        let parts = trimmed.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        let account = parts.first ?? ""
        let container = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
        let blob = parts.count > 2 && !parts[2].isEmpty ? parts[2] : nil
        return (account, container, blob)
    }
}

/// A response the emulator sends.
struct EmulatorResponse {
    var status: HTTPResponseStatus
    var headers: [(String, String)] = []
    var body = Data()

    static func error(_ status: HTTPResponseStatus, _ code: String, _ message: String) -> EmulatorResponse {
        let xml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>\(code)</Code><Message>\(message)\nRequestId:emulator\nTime:\(Date())</Message></Error>"
        return EmulatorResponse(
            status: status,
            headers: [("x-ms-error-code", code), ("Content-Type", "application/xml")],
            body: Data(xml.utf8)
        )
    }
}
