import COpenSSL
import Foundation
import NIOHTTP1

/// Checks requests the way Azure does: a Shared Key signature recomputed from
/// the request as received, or a SAS whose signature, expiry and permissions
/// are checked. Written apart from the agent's client on purpose, so a mistake
/// in one is not mirrored in the other.
struct EmulatorAuthentication {
    let account: String
    let key: Data

    /// `nil` when the request is allowed, else the 403 to send.
    func check(_ request: EmulatorRequest, permission: Character) -> EmulatorResponse? {
        if let sas = request.queryValue("sig") {
            return checkSAS(request, signature: sas, permission: permission)
        }
        guard let authorization = request.header("Authorization") else {
            return .error(.forbidden, "NoAuthenticationInformation", "Server failed to authenticate the request.")
        }
        let expected = "SharedKey \(account):" + hmac(stringToSign(request))
        guard authorization == expected else {
            return .error(
                .forbidden,
                "AuthenticationFailed",
                "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature."
            )
        }
        return nil
    }

    func stringToSign(_ request: EmulatorRequest) -> String {
        func value(_ name: String) -> String {
            request.headers[name].joined(separator: ",")
        }
        var contentLength = value("Content-Length")
        if contentLength == "0" { contentLength = "" }
        var parts = [
            request.method, value("Content-Encoding"), value("Content-Language"), contentLength, value("Content-MD5"),
            value("Content-Type"), value("Date"), value("If-Modified-Since"), value("If-Match"), value("If-None-Match"),
            value("If-Unmodified-Since"), value("Range"),
        ]
        var canonical: [String: String] = [:]
        for header in request.headers where header.name.lowercased().hasPrefix("x-ms-") {
            canonical[header.name.lowercased()] = header.value.trimmingCharacters(in: .whitespaces)
        }
        parts += canonical.keys.sorted().map { "\($0):\(canonical[$0]!)" }
        var resource = "/\(account)\(request.rawPath)"
        var query: [String: [String]] = [:]
        for item in request.query { query[item.name.lowercased(), default: []].append(item.value) }
        for name in query.keys.sorted() { resource += "\n\(name):" + query[name]!.sorted().joined(separator: ",") }
        parts.append(resource)
        return parts.joined(separator: "\n")
    }

    private func checkSAS(_ request: EmulatorRequest, signature: String, permission: Character) -> EmulatorResponse? {
        func field(_ name: String) -> String { request.queryValue(name) ?? "" }
        let version = field("sv")
        let stringToSign: String
        if !field("ss").isEmpty {
            var lines = [account, field("sp"), field("ss"), field("srt"), field("st"), field("se"), field("sip"), field("spr"), version]
            if version >= "2020-12-06" { lines.append(field("ses")) }
            stringToSign = lines.joined(separator: "\n") + "\n"
        } else {
            let (_, container, blob) = request.segments
            var resource = "/blob/\(account)/\(container ?? "")"
            if field("sr") == "b", let blob { resource += "/\(blob)" }
            var lines = [
                field("sp"), field("st"), field("se"), resource, field("si"), field("sip"), field("spr"), version, field("sr"),
                field("snapshot"),
            ]
            if version >= "2020-12-06" { lines.append(field("ses")) }
            lines += [field("rscc"), field("rscd"), field("rsce"), field("rscl"), field("rsct")]
            stringToSign = lines.joined(separator: "\n")
        }
        guard hmac(stringToSign) == signature else {
            return .error(
                .forbidden, "AuthenticationFailed",
                "Signature did not match. String to sign used was \(stringToSign.replacingOccurrences(of: "\n", with: "\\n"))")
        }
        if let expiry = ISO8601DateFormatter().date(from: field("se")), expiry < Date() {
            return .error(.forbidden, "AuthenticationFailed", "Signed expiry time [\(field("se"))] has to be after signed start time")
        }
        guard field("sp").contains(permission) || (permission == "c" && field("sp").contains("w")) else {
            return .error(
                .forbidden, "AuthorizationPermissionMismatch",
                "This request is not authorized to perform this operation using this permission.")
        }
        return nil
    }

    /// A service SAS for `container` (`sr=c`), signed as `checkSAS` expects,
    /// for peers such as rclone that take a container SAS URL.
    func containerSAS(container: String, permissions: String, expiry: String) -> String {
        let version = "2021-08-06"
        let stringToSign = [permissions, "", expiry, "/blob/\(account)/\(container)", "", "", "", version, "c", "", "", "", "", "", "", ""]
            .joined(separator: "\n")
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let signature = hmac(stringToSign).addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
        return "sv=\(version)&sr=c&sp=\(permissions)&se=\(expiry)&sig=\(signature)"
    }

    private func hmac(_ text: String) -> String {
        var output = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        let message = Array(text.utf8)
        key.withUnsafeBytes { keyBytes in
            _ = HMAC(EVP_sha256(), keyBytes.baseAddress, Int32(keyBytes.count), message, message.count, &output, &length)
        }
        return Data(output.prefix(Int(length))).base64EncodedString()
    }
}
