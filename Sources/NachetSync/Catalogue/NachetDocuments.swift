import Foundation

/// The `picture_set.picture_set` JSON document, as Nachet writes it.
package struct PictureSetDocument: Sendable, Codable, Equatable {
    package struct ImageData: Sendable, Codable, Equatable {
        package var numberOfImages: Int

        enum CodingKeys: String, CodingKey {
            case numberOfImages = "number_of_images"
        }
    }

    package struct AuditTrail: Sendable, Codable, Equatable {
        package var uploadDate: String
        package var editedBy: String
        package var editDate: String
        package var changeLog: String
        package var accessLog: String
        package var privacyFlag: Bool

        enum CodingKeys: String, CodingKey {
            case uploadDate = "upload_date"
            case editedBy = "edited_by"
            case editDate = "edit_date"
            case changeLog = "change_log"
            case accessLog = "access_log"
            case privacyFlag = "privacy_flag"
        }
    }

    package var imageData: ImageData
    package var auditTrail: AuditTrail

    enum CodingKeys: String, CodingKey {
        case imageData = "image_data_picture_set"
        case auditTrail = "audit_trail"
    }

    /// A new set's document: no images yet, created by `userID` on `date`.
    package init(createdBy userID: UUID, on date: Date = Date()) {
        let day = NachetDate.day(date)
        imageData = ImageData(numberOfImages: 0)
        auditTrail = AuditTrail(
            uploadDate: day,
            editedBy: userID.lowercased,
            editDate: day,
            changeLog: "picture_set created",
            accessLog: "picture_set accessed",
            privacyFlag: false
        )
    }

    /// The document as JSON text.
    package var json: String { NachetDate.jsonText(self) }
}

/// The `picture.picture` JSON document: Nachet's keys plus the agent's
/// `sha256` and `file_name`, which Nachet's readers ignore.
package struct PictureDocument: Sendable, Codable, Equatable {
    /// The blob URL: container URL + `/` + blob name.
    package var link: String
    package var seedCount: Int?
    package var zoom: Double?
    package var description: String
    /// The SHA-256 of the bytes, which makes uploads idempotent.
    package var sha256: String
    /// The file's name in the drop folder.
    package var fileName: String

    enum CodingKeys: String, CodingKey {
        case link
        case seedCount = "nb_seeds"
        case zoom
        case description
        case sha256
        case fileName = "file_name"
    }

    package init(link: String, seedCount: Int?, zoom: Double?, description: String, sha256: ContentHash, fileName: String) {
        self.link = link
        self.seedCount = seedCount
        self.zoom = zoom
        self.description = description
        self.sha256 = sha256.hex
        self.fileName = fileName
    }

    // Nachet stores `null` for a missing count or zoom, so encode them explicitly.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(link, forKey: .link)
        try container.encode(seedCount, forKey: .seedCount)
        try container.encode(zoom, forKey: .zoom)
        try container.encode(description, forKey: .description)
        try container.encode(sha256, forKey: .sha256)
        try container.encode(fileName, forKey: .fileName)
    }

    /// The document as JSON text.
    package var json: String { NachetDate.jsonText(self) }
}

/// The folder marker blob `<folder>/<folder>.json`'s content.
package struct FolderMarkerDocument: Sendable, Codable, Equatable {
    package var folderName: String
    package var dateCreated: String
    package var folderUUID: String

    enum CodingKeys: String, CodingKey {
        case folderName = "folder_name"
        case dateCreated = "date_created"
        case folderUUID = "folder_uuid"
    }

    package init(folderName: String, setID: UUID, created: Date = Date()) {
        self.folderName = folderName
        dateCreated = NachetDate.timestamp(created)
        folderUUID = setID.lowercased
    }

    /// The document as JSON bytes.
    package var data: Data { Data(NachetDate.jsonText(self).utf8) }
}

/// Date formats and JSON encoding as Nachet's datastore writes them.
enum NachetDate {
    /// `YYYY-MM-DD`, UTC.
    static func day(_ date: Date) -> String {
        format(date, "yyyy-MM-dd")
    }

    /// `YYYY-MM-DD HH:MM:SS`, UTC.
    static func timestamp(_ date: Date) -> String {
        format(date, "yyyy-MM-dd HH:mm:ss")
    }

    private static func format(_ date: Date, _ pattern: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = pattern
        return formatter.string(from: date)
    }

    static func jsonText(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain structs of strings and numbers cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
