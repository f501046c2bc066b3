import Foundation

/// One set's datastore check: its blob folder (one listing) and its picture
/// ids (one catalogue query) compared with each other and with the state
/// file's records of the folder's files.
///
/// Made before the folder's pass, which then stores again the files whose
/// picture the datastore lost (``lost``); judged after it, once the pass has
/// completed what the files could complete
/// (``SyncEngine/concludeDatastoreCheck(_:folder:record:report:logger:)``).
///
/// It finds:
/// - **recorded files missing from the datastore**: a file recorded as stored
///   as picture X while the set has no row X, or no blob X. Its record is
///   dropped, so the pass stores it again from the file: a new row and blob,
///   or the blob of the row found by its hash.
/// - **rows without blobs**: completed by the pass when a file in the folder
///   has their bytes; otherwise only a person can complete them.
/// - **blobs without rows** in the set's folder (besides its marker
///   `<folder>/<folder>.json`): left untouched and reported.
/// - a missing **folder marker**: written again.
struct DatastoreCheck: Sendable {
    /// What the datastore lost of a recorded file's picture.
    enum Loss: Sendable, Equatable {
        case row
        case blob
    }

    /// A file recorded as stored whose picture lost its row or its blob.
    struct LostPicture: Sendable {
        var file: FileRecord
        var loss: Loss
    }

    let set: PictureSetRecord
    /// The set's blob container, `user-<owner>`.
    let container: String
    /// The set's blob folder as a name prefix, `<folder>/`.
    let prefix: String
    /// Recorded files whose picture lost its row or blob, by path.
    let lost: [LostPicture]
    /// Pictures of the set whose blob the listing lacks.
    let rowsWithoutBlob: [UUID]
    /// Blob names under the folder that are neither its marker nor a picture of the set.
    let strayBlobs: [String]
    /// Whether the folder marker is missing.
    let markerMissing: Bool

    /// Compares the three accounts of the set.
    /// - Parameters:
    ///   - blobNames: The names under the set's folder, listed before
    ///     `pictureIDs` were read (a blob is only written after its row, so
    ///     every blob listed then has its row among those read after).
    ///   - pictureIDs: The ids of the set's picture rows.
    ///   - records: The state file's records of the folder's files.
    init(set: PictureSetRecord, blobNames: [String], pictureIDs: [UUID], records: [String: FileRecord]) {
        let prefix = set.folderName + "/"
        self.set = set
        self.prefix = prefix
        container = BlobLayout.container(forUser: set.ownerID)
        let marker = BlobLayout.folderMarker(folder: set.folderName, user: set.ownerID).name
        let rows = Set(pictureIDs)
        var listed = Set<UUID>(minimumCapacity: blobNames.count)
        var strays: [String] = []
        var markerFound = false
        for name in blobNames {
            if name == marker {
                markerFound = true
            } else if name.hasPrefix(prefix), let id = UUIDText.parse(String(name.dropFirst(prefix.count))), rows.contains(id) {
                listed.insert(id)
            } else {
                strays.append(name)
            }
        }
        markerMissing = !markerFound
        strayBlobs = strays.sorted()
        rowsWithoutBlob = pictureIDs.filter { !listed.contains($0) }
        lost = records.values.sorted { $0.path < $1.path }.compactMap { record in
            guard record.outcome.isStored, let id = record.pictureID else { return nil }
            if !rows.contains(id) { return LostPicture(file: record, loss: .row) }
            if !listed.contains(id) { return LostPicture(file: record, loss: .blob) }
            return nil
        }
    }

    /// The names of the files that lost `loss` and are stored again in `after`.
    func restored(_ loss: Loss, after: [String: FileRecord]) -> [String] {
        lost.filter { $0.loss == loss && after[$0.file.path]?.outcome.isStored == true }.map { Self.name(of: $0.file.path) }
    }

    /// Rows without a blob that no file of the folder now accounts for.
    func rowsStillWithoutBlob(after: [String: FileRecord]) -> [UUID] {
        let stored = Set(after.values.filter(\.outcome.isStored).compactMap(\.pictureID))
        return rowsWithoutBlob.filter { !stored.contains($0) }
    }

    /// Files that lost their picture and are no longer in the folder, so
    /// nothing can store them again.
    func lostAndGone(present: Set<String>) -> [LostPicture] {
        lost.filter { !present.contains($0.file.path) }
    }

    static func name(of path: String) -> String {
        (path as NSString).lastPathComponent
    }
}
