import Foundation

/// Where the catalogue's rows go, as given by `--catalogue` or `NACHET_DB_URL`.
package enum CatalogueLocation: Sendable, Equatable, CustomStringConvertible {
    /// The embedded SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL connection string or URL.
    case postgres(connection: String)

    /// Reads a flag or variable value: `postgres://…`, `postgresql://…`, a
    /// libpq `key=value` string, `sqlite:PATH`, or a file path.
    ///
    /// Any value that starts with a word and `=` (`user=x password=y`,
    /// `service=lab`, ` port = 5433`) is a libpq string, whichever keywords
    /// it holds: taken as a file name it would become an SQLite file in the
    /// working directory, named after the password. A file whose name
    /// starts so is given as `./name` or `sqlite:name`.
    package init(parsing value: String) {
        let lowered = value.lowercased()
        if lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://") || Self.startsWithKeyword(value) {
            self = .postgres(connection: value)
        } else if lowered.hasPrefix("sqlite:") {
            self = .sqlite(path: String(value.dropFirst("sqlite:".count)).replacingOccurrences(of: "//", with: "/"))
        } else {
            self = .sqlite(path: value)
        }
    }

    /// Said without the password.
    package var description: String {
        switch self {
        case .sqlite(let path): "SQLite catalogue \(path)"
        case .postgres(let connection): "PostgreSQL \(PostgresConnectionString.redacting(connection))"
        }
    }

    /// Whether `value` starts as a libpq `key=value` string does: spaces, a
    /// keyword (letters, digits, `_`), spaces, `=`.
    static func startsWithKeyword(_ value: String) -> Bool {
        let rest = value.drop { $0.isWhitespace }
        let keyword = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        return !keyword.isEmpty && rest.dropFirst(keyword.count).drop { $0.isWhitespace }.first == "="
    }
}

/// Where the bytes go, as given by `--blob-store` or `NACHET_STORAGE_URL`.
package enum BlobStoreLocation: Sendable, Equatable, CustomStringConvertible {
    /// A local folder holding Azure's layout.
    case directory(path: String)
    /// Azure Blob Storage: a connection string, or a blob service URL with a SAS.
    case azure(connection: String)

    /// Reads a flag or variable value: an Azure connection string or URL,
    /// `file://PATH`, or a folder path.
    package init(parsing value: String) {
        let lowered = value.lowercased()
        if lowered.contains("accountname=") || lowered.contains("usedevelopmentstorage=") || lowered.contains("blobendpoint=")
            || lowered.hasPrefix("https://") || lowered.hasPrefix("http://")
        {
            self = .azure(connection: value)
        } else if lowered.hasPrefix("file://") {
            self = .directory(path: URL(string: value)?.path ?? String(value.dropFirst("file://".count)))
        } else {
            self = .directory(path: value)
        }
    }

    /// Said without keys or SAS signatures.
    package var description: String {
        switch self {
        case .directory(let path): "blob folder \(path)"
        case .azure(let connection): "Azure Blob Storage \(SecretMasking.maskConnectionString(connection))"
        }
    }
}
