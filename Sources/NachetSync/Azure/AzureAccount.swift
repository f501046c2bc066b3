import Foundation

/// Where an Azure storage account's blob service is and how to sign for it,
/// read from the forms Nachet deployments use.
///
/// ``description`` never shows the key or the SAS signature.
package struct AzureAccount: Sendable, CustomStringConvertible {
    /// How requests are authorised.
    package enum Authorization: Sendable {
        /// Shared Key: the base64-decoded account key signs each request.
        case sharedKey(Data)
        /// A SAS token appended to every request URL (without the `?`).
        case sharedAccessSignature(String)
    }

    /// The account name.
    package var name: String
    /// The blob service endpoint: `https://<account>.blob.core.windows.net`,
    /// or a path-style endpoint such as `http://127.0.0.1:10000/devstoreaccount1`.
    package var endpoint: URL
    package var authorization: Authorization

    package init(name: String, endpoint: URL, authorization: Authorization) {
        self.name = name
        self.endpoint = endpoint
        self.authorization = authorization
    }

    /// The development storage account of Azurite and the Azure emulators,
    /// with its public well-known key.
    package static let developmentStorage = AzureAccount(
        name: "devstoreaccount1",
        endpoint: URL(string: "http://127.0.0.1:10000/devstoreaccount1")!,
        authorization: .sharedKey(
            Data(base64Encoded: "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==")!
        )
    )

    package var description: String {
        let shown = SecretMasking.maskURL(endpoint.absoluteString)
        return switch authorization {
        case .sharedKey: "\(shown) (account \(name), shared key)"
        case .sharedAccessSignature: "\(shown) (account \(name), SAS)"
        }
    }

    /// Reads a connection string (`DefaultEndpointsProtocol=…;AccountName=…;
    /// AccountKey=…;EndpointSuffix=…`, with `BlobEndpoint=` and/or
    /// `SharedAccessSignature=`, or `UseDevelopmentStorage=true`), or a blob
    /// service URL with a SAS query (`https://<account>.blob.core.windows.net/?sv=…&sig=…`).
    ///
    /// - Throws: ``ConfigurationError`` naming what is missing, never the secret.
    package init(parsing value: String) throws(ConfigurationError) {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.lowercased().hasPrefix("http://") || trimmed.lowercased().hasPrefix("https://") {
            self = try Self.fromURL(trimmed)
        } else {
            self = try Self.fromConnectionString(trimmed)
        }
    }

    /// An account from `NACHET_BLOB_ACCOUNT` and `NACHET_BLOB_KEY`.
    package init(name: String, key: String) throws(ConfigurationError) {
        guard let decoded = Data(base64Encoded: key.trimmingCharacters(in: .whitespaces)), !decoded.isEmpty else {
            throw ConfigurationError("the Azure account key is not valid base64; copy it again from the storage account's Access keys page")
        }
        self.init(name: name, endpoint: try Self.serviceEndpoint(account: name), authorization: .sharedKey(decoded))
    }

    private static func fromConnectionString(_ value: String) throws(ConfigurationError) -> AzureAccount {
        var fields: [String: String] = [:]
        for part in value.split(separator: ";", omittingEmptySubsequences: true) {
            guard let equals = part.firstIndex(of: "=") else { continue }
            fields[part[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] =
                String(part[part.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
        }
        if fields["usedevelopmentstorage"]?.lowercased() == "true" {
            var account = developmentStorage
            if let proxy = fields["developmentstorageproxyuri"], let url = URL(string: proxy) {
                account.endpoint = url.appendingPathComponent(account.name)
            }
            return account
        }
        let name = fields["accountname"]
        let endpoint: URL
        if let blobEndpoint = fields["blobendpoint"] {
            guard let url = URL(string: blobEndpoint.hasSuffix("/") ? String(blobEndpoint.dropLast()) : blobEndpoint),
                ["http", "https"].contains(url.scheme?.lowercased()), url.host?.isEmpty == false
            else {
                throw ConfigurationError(
                    "BlobEndpoint in the Azure connection string is not an http or https URL; copy it again from the portal")
            }
            endpoint = url
        } else if let name {
            endpoint = try serviceEndpoint(
                account: name, scheme: fields["defaultendpointsprotocol"] ?? "https", suffix: fields["endpointsuffix"] ?? "core.windows.net"
            )
        } else {
            throw ConfigurationError("the Azure connection string has neither AccountName nor BlobEndpoint")
        }
        let accountName = name ?? endpoint.host?.split(separator: ".").first.map(String.init) ?? ""
        if let signature = fields["sharedaccesssignature"] {
            let token = signature.hasPrefix("?") ? String(signature.dropFirst()) : signature
            return AzureAccount(name: accountName, endpoint: endpoint, authorization: .sharedAccessSignature(token))
        }
        guard let key = fields["accountkey"] else {
            throw ConfigurationError("the Azure connection string has neither AccountKey nor SharedAccessSignature")
        }
        guard let decoded = Data(base64Encoded: key), !decoded.isEmpty else {
            throw ConfigurationError("AccountKey in the Azure connection string is not valid base64; copy it again from the portal")
        }
        return AzureAccount(name: accountName, endpoint: endpoint, authorization: .sharedKey(decoded))
    }

    private static func fromURL(_ value: String) throws(ConfigurationError) -> AzureAccount {
        guard var components = URLComponents(string: value), let host = components.host, !host.isEmpty else {
            throw ConfigurationError("the Azure blob URL is not a URL")
        }
        guard let query = components.percentEncodedQuery, query.contains("sig=") else {
            throw ConfigurationError(
                "the Azure blob URL has no SAS token (…?sv=…&sig=…); add one, or give a connection string with AccountKey"
            )
        }
        components.query = nil
        components.fragment = nil
        components.user = nil
        components.password = nil
        // Path-style endpoints (an emulator) name the account in the path.
        let pathAccount = components.path.split(separator: "/").first.map(String.init)
        let isPathStyle = host == "127.0.0.1" || host == "localhost" || !host.contains(".blob.")
        let name = isPathStyle ? (pathAccount ?? host) : host.split(separator: ".").first.map(String.init) ?? host
        components.path = isPathStyle ? "/" + name : ""
        guard let endpoint = components.url else { throw ConfigurationError("the Azure blob URL is not a URL") }
        return AzureAccount(name: name, endpoint: endpoint, authorization: .sharedAccessSignature(query))
    }

    /// `https://<account>.blob.core.windows.net`, or with the scheme and
    /// suffix a connection string gives.
    ///
    /// - Throws: ``ConfigurationError`` when the name is not a storage
    ///   account name (it becomes part of the host name; one with a space or
    ///   a `/` would make no URL, or another host's).
    static func serviceEndpoint(account: String, scheme: String = "https", suffix: String = "core.windows.net") throws(ConfigurationError)
        -> URL
    {
        guard (3...24).contains(account.count), account.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber) }) else {
            throw ConfigurationError(
                "the Azure storage account name (AccountName, or \(Setting.blobAccount.variable)) is not one: a storage account name is 3 to 24 "
                    + "lowercase letters and digits; copy it from the storage account's page in the Azure portal")
        }
        guard ["http", "https"].contains(scheme.lowercased()) else {
            throw ConfigurationError("DefaultEndpointsProtocol in the Azure connection string must be https (or http for an emulator)")
        }
        guard !suffix.isEmpty, suffix.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }),
            let url = URL(string: "\(scheme.lowercased())://\(account).blob.\(suffix)")
        else {
            throw ConfigurationError("EndpointSuffix in the Azure connection string is not a domain name, such as core.windows.net")
        }
        return url
    }
}
