import Foundation

/// Names of containers and blobs, exactly as Nachet names them.
package enum BlobLayout {
    /// The folder of each user's default picture set.
    package static let defaultFolderName = "General"

    /// The container of a user: `user-<uuid>`.
    package static func container(forUser userID: UUID) -> String {
        "user-" + userID.lowercased
    }

    /// The blob of a picture: `<folder>/<picture id>`, no extension.
    package static func picture(_ pictureID: UUID, folder: String, user: UUID) -> BlobReference {
        BlobReference(container: container(forUser: user), name: folder + "/" + pictureID.lowercased)
    }

    /// The folder marker: `<folder>/<folder>.json`.
    package static func folderMarker(folder: String, user: UUID) -> BlobReference {
        BlobReference(container: container(forUser: user), name: folder + "/" + folder + ".json")
    }

    /// The tags Nachet puts on a picture blob.
    package static func pictureTags(pictureID: UUID, setID: UUID) -> [String: String] {
        ["picture_uuid": pictureID.lowercased, "picture_set_uuid": setID.lowercased]
    }

    /// The tags Nachet puts on a folder marker blob.
    package static func folderMarkerTags(setID: UUID) -> [String: String] {
        ["picture_set_uuid": setID.lowercased]
    }
}
