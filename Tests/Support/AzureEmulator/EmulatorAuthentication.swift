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
            stringToSign = serviceSASStringToSign(container: container ?? "", blob: field("sr") == "b" ? blob : nil, field: field)
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

    /// What a service SAS signs, its fields read by `field`.
    private func serviceSASStringToSign(container: String, blob: String?, field: (String) -> String) -> String {
        var resource = "/blob/\(account)/\(container)"
        if let blob { resource += "/\(blob)" }
        var lines = [
            field("sp"), field("st"), field("se"), resource, field("si"), field("sip"), field("spr"), field("sv"), field("sr"),
            field("snapshot"),
        ]
        if field("sv") >= "2020-12-06" { lines.append(field("ses")) }
        lines += [field("rscc"), field("rscd"), field("rsce"), field("rscl"), field("rsct")]
        return lines.joined(separator: "\n")
    }

    /// A service SAS for `container` (`sr=c`), signed by the code that checks
    /// one, for peers such as rclone that take a container SAS URL.
    func containerSAS(container: String, permissions: String, expiry: String) -> String {
        let fields = ["sv": "2021-08-06", "sr": "c", "sp": permissions, "se": expiry]
        let signature = hmac(serviceSASStringToSign(container: container, blob: nil) { fields[$0] ?? "" })
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let query = ["sv", "sr", "sp", "se"].map { "\($0)=\(fields[$0]!.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
        return (query + ["sig=\(signature.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")"]).joined(separator: "&")
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
