import Foundation

/// What the datastore check says, in a technician's words: what was put
/// right, and what only a person can put right, each naming the files or
/// blobs and the fix.
extension DatastoreCheck {
    /// Names listed in one message at most; the rest are counted.
    static let namesShown = 10

    var markerRestoredMessage: String {
        "the folder marker \(container)/\(prefix)\(set.folderName).json was missing; written again"
    }

    static func restoredBlobsMessage(_ files: [String]) -> String {
        files.count == 1
            ? "the blob of \(files[0])'s picture was missing; written again from the file"
            : "the blobs of \(files.count) pictures were missing; written again from their files (\(names(files)))"
    }

    static func restoredRowsMessage(_ files: [String]) -> String {
        files.count == 1
            ? "the picture row of \(files[0]) was gone from the catalogue; the file was stored again as a new picture"
            : "the picture rows of \(files.count) files were gone from the catalogue; the files were stored again as new pictures (\(names(files)))"
    }

    func rowWithoutBlobMessage(_ id: UUID, fileName: String?) -> String {
        "picture \(id.lowercased) (from \(fileName ?? "an unknown file")) is in the catalogue but its blob \(container)/\(prefix)\(id.lowercased) is missing, and no file in the folder has its bytes — put the file back in the folder so the agent completes it, or delete the picture row if the picture is not wanted"
    }

    func strayBlobMessage(_ name: String) -> String {
        "blob \(container)/\(name) has no picture row in the set; left untouched — Nachet counts it as an image of the folder: delete it if no picture should have it"
    }

    func lostAndGoneMessage(_ lost: LostPicture) -> String {
        let what = lost.loss == .row ? "its picture row is gone from the catalogue" : "its blob is gone from the blob store"
        return "\(Self.name(of: lost.file.path)) was stored as picture \(lost.file.pictureID?.lowercased ?? "?"), but \(what) and the file is no longer in the folder — put the file back so the agent stores it again"
    }

    /// The first ``namesShown`` names, then how many more.
    static func names(_ files: [String]) -> String {
        let shown = files.prefix(namesShown).joined(separator: ", ")
        return files.count > namesShown ? shown + " and \(files.count - namesShown) more" : shown
    }
}
