import Foundation

/// Hides passwords, keys and signatures in connection strings and URLs
/// before they reach a log line or an error message.
public enum SecretMasking {
    private static let secretKeys = ["password", "accountkey", "sharedaccesssignature", "sig", "key"]

    /// `postgres://u:secret@h/db` → `postgres://u:***@h/db`;
    /// `AccountKey=abc;` → `AccountKey=***;`; `?sig=abc` → `?sig=***`.
    public static func maskConnectionString(_ value: String) -> String {
        var masked = value
        // user:password@ in URLs
        if let scheme = masked.range(of: "://"),
            let at = masked[scheme.upperBound...].firstIndex(of: "@"),
            let colon = masked[scheme.upperBound..<at].firstIndex(of: ":")
        {
            masked.replaceSubrange(masked.index(after: colon)..<at, with: "***")
        }
        // key=value pairs separated by ; & or spaces
        var result = ""
        var token = ""
        func flush() {
            if let equals = token.firstIndex(of: "=") {
                let key = token[..<equals].lowercased().trimmingCharacters(in: .whitespaces)
                if secretKeys.contains(key) {
                    token = String(token[...equals]) + "***"
                }
            }
            result += token
            token = ""
        }
        for character in masked {
            if character == ";" || character == "&" || character == " " || character == "?" {
                flush()
                result.append(character)
            } else {
                token.append(character)
            }
        }
        flush()
        return result
    }
}
