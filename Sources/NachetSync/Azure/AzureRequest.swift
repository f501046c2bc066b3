import Foundation
import NIOCore

/// One request to the blob service, before it is signed and sent.
struct AzureRequest: Sendable {
    var method: String
    var container: String
    /// The blob name, or `nil` for a container request.
    var blob: String?
    /// Query items, not encoded.
    var query: [(name: String, value: String)] = []
    /// Headers beyond those every request gets.
    var headers: [(name: String, value: String)] = []
    /// The body, sent as is: a file's bytes are read into it once.
    var body: ByteBuffer?

    /// `bytes` as a request body.
    static func body(_ bytes: Data) -> ByteBuffer {
        ByteBuffer(bytes: bytes)
    }

    /// What the request is about, for messages: never the URL (a SAS is in it).
    var subject: String { blob.map { "\(container)/\($0)" } ?? container }

    /// The path, percent-encoded as the Python SDK does (`/` and `~` kept).
    func encodedPath(endpoint: URL) -> String {
        var path = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
        path += "/" + Self.encode(container, keepingSlashes: false)
        if let blob { path += "/" + Self.encode(blob, keepingSlashes: true) }
        return path
    }

    /// `endpoint` + path + query (+ the SAS token when given).
    func url(endpoint: URL, sharedAccessSignature: String?) -> String {
        var text = (endpoint.scheme ?? "https") + "://" + (endpoint.host ?? "")
        if let port = endpoint.port { text += ":\(port)" }
        text += encodedPath(endpoint: endpoint)
        var items = query.map { Self.encode($0.name, keepingSlashes: false) + "=" + Self.encode($0.value, keepingSlashes: false) }
        if let sharedAccessSignature { items.append(sharedAccessSignature) }
        if !items.isEmpty { text += "?" + items.joined(separator: "&") }
        return text
    }

    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    static func encode(_ text: String, keepingSlashes: Bool) -> String {
        let allowed = keepingSlashes ? unreserved.union(CharacterSet(charactersIn: "/")) : unreserved
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
