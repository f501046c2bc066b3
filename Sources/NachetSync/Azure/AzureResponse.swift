import Foundation

/// A blob service response, with the body read (responses are small: XML or
/// empty; blob downloads are streamed elsewhere).
struct AzureResponse: Sendable {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: Data

    /// `x-ms-error-code`, or the `<Code>` of the error body: an excerpt
    /// fit for a message (``SecretMasking/excerpt(of:removing:limit:)``).
    /// Azure's codes (`BlobAlreadyExists`) come through as they are.
    var errorCode: String? {
        (headers["x-ms-error-code"] ?? AzureXML.firstValue(of: "Code", in: body)).map { SecretMasking.excerpt(of: $0, limit: 80) }
    }

    /// The `<Message>` of the error body, first line only, as an excerpt
    /// fit for a message: whatever answers at the blob store's address (a
    /// proxy, a debug page) may have put a signature or key in it.
    var errorMessage: String? {
        AzureXML.firstValue(of: "Message", in: body)?.split(separator: "\n").first.map { SecretMasking.excerpt(of: $0) }
    }

    /// The `<AuthenticationErrorDetail>` of a 403, which says why a
    /// signature failed. Looked into, never shown: Azure puts the string it
    /// signed there.
    var authenticationDetail: String? {
        AzureXML.firstValue(of: "AuthenticationErrorDetail", in: body)
    }
}

/// The few XML documents of the blob service, read and written without a
/// general XML library: each has a fixed, flat shape.
enum AzureXML {
    /// The text of the first `<name>…</name>`, unescaped.
    static func firstValue(of name: String, in data: Data) -> String? {
        values(of: name, in: String(decoding: data, as: UTF8.self)).first
    }

    /// The texts of every `<name>…</name>` in `text`, unescaped.
    static func values(of name: String, in text: String) -> [String] {
        var result: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest[open.upperBound...].range(of: "</\(name)>") {
            result.append(unescape(String(rest[open.upperBound..<close.lowerBound])))
            rest = rest[close.upperBound...]
        }
        return result
    }

    /// The inner texts of every `<element>…</element>`, for nested lists.
    static func elements(_ element: String, in text: String) -> [String] {
        values(of: element, in: text)
    }

    static func escape(_ text: String) -> String {
        MarkupText.escape(text)
    }

    static func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
    }
}
