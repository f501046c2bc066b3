import Foundation

/// The durable writes of a sync, in the order the engine makes them.
///
/// Tests stop the engine after any of them (``SyncEngine/Hooks``) to show that
/// a crash there leaves nothing a later pass cannot complete. A destination
/// makes some of them only (``Destination/writeSteps``): through Nachet's
/// API, the server writes a set with its marker, and a picture's row with
/// its blob, each in one request.
package enum WriteStep: String, Sendable, CaseIterable {
    /// The `picture_set` row is written.
    case pictureSetRow
    /// The folder marker blob is written.
    case folderMarker
    /// The folder's state record is written.
    case folderState
    /// A file was hashed and its bytes staged (nothing visible written yet).
    case staged
    /// The `picture` and `picture_seed` rows are written.
    case pictureRow
    /// The picture's blob is written (through the API: the server answered
    /// that the picture, row and blob, is stored).
    case pictureBlob
    /// The file's state record is written.
    case fileState
}
