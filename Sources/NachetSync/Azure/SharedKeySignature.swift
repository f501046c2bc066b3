import COpenSSL
import Foundation

/// Azure Storage's Shared Key scheme: the string to sign for a request, and
/// its HMAC-SHA256 under the account key.
///
/// See "Authorize with Shared Key" in the Azure Storage REST reference; the
/// test vectors in `Tests/NachetSyncTests/Azure` were computed by Microsoft's
/// Python SDK for the same requests.
enum SharedKeySignature {
    /// The headers that are signed by position, in order.
    static let standardHeaders = [
        "content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
        "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range",
    ]

    /// The string to sign.
    ///
    /// - Parameters:
    ///   - method: `GET`, `PUT`, `HEAD`, …
    ///   - encodedPath: The request URL's path, percent-encoded as sent.
    ///   - query: The query items, decoded.
    ///   - headers: Every request header (names in any case).
    ///   - account: The account name.
    static func stringToSign(
        method: String,
        encodedPath: String,
        query: [(name: String, value: String)],
        headers: [(name: String, value: String)],
        account: String
    ) -> String {
        var byName: [String: String] = [:]
        for (name, value) in headers { byName[name.lowercased()] = value }
        var lines = [method.uppercased()]
        for header in standardHeaders {
            var value = byName[header] ?? ""
            if header == "content-length" && value == "0" { value = "" }
            lines.append(value)
        }
        let canonicalHeaders = byName.filter { $0.key.hasPrefix("x-ms-") }.sorted { $0.key < $1.key }
            .map { "\($0.key):\($0.value.trimmingCharacters(in: .whitespaces))" }
        var resource = "/" + account + (encodedPath.isEmpty ? "/" : encodedPath)
        var grouped: [String: [String]] = [:]
        for (name, value) in query { grouped[name.lowercased(), default: []].append(value) }
        for name in grouped.keys.sorted() {
            resource += "\n" + name + ":" + grouped[name]!.sorted().joined(separator: ",")
        }
        return (lines + canonicalHeaders + [resource]).joined(separator: "\n")
    }

    /// `SharedKey <account>:<base64 HMAC-SHA256(key, stringToSign)>`.
    static func authorization(account: String, key: Data, stringToSign: String) -> String {
        "SharedKey \(account):" + Data(hmacSHA256(key: key, message: Data(stringToSign.utf8))).base64EncodedString()
    }

    static func hmacSHA256(key: Data, message: Data) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                _ = HMAC(
                    EVP_sha256(),
                    keyBytes.baseAddress,
                    Int32(keyBytes.count),
                    messageBytes.baseAddress?.assumingMemoryBound(to: UInt8.self),
                    messageBytes.count,
                    &output,
                    &length
                )
            }
        }
        return Array(output.prefix(Int(length)))
    }
}
