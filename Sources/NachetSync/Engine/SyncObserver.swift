import Foundation

/// Told by the engine how far a pass over a drop folder has got, as it
/// goes: how `sync` shows its progress line and periodic summary. Calls
/// come from the engine's tasks, several at a time; each must be quick.
package protocol SyncObserver: Sendable {
    /// The pass has `setFolders` set folders to go through.
    func passBegan(setFolders: Int)
    /// `count` images of `bytes` bytes are finished with (stored, found
    /// stored, unchanged, or failed), `read` of those bytes read to do so.
    func filesFinished(_ count: Int, bytes: Int64, read: Int64, uploaded: Int, failed: Int)
    /// A set folder's pass is over.
    func folderFinished(_ report: FolderReport)
}
