import Foundation

/// Why a file, a folder or a pass failed, as one of a few fixed words: the
/// `reason` label of `nachet_sync_failures_total`, so a dashboard can group
/// failures without the free text of their messages (which name files).
package enum FailureReason: String, Sendable, CaseIterable {
    /// An image whose end is missing (a copy under way or cut short).
    case incompleteImage = "incomplete_image"
    /// A file with an image's name whose bytes are no image.
    case notAnImage = "not_an_image"
    /// The file changed while it was being stored.
    case fileChanged = "file_changed"
    /// The file could not be opened or read, or was swapped for a link.
    case fileUnreadable = "file_unreadable"
    /// A folder's `metadata.json` has mistakes.
    case invalidMetadata = "invalid_metadata"
    /// The catalogue could not be reached.
    case catalogueUnreachable = "catalogue_unreachable"
    /// The blob store could not be reached.
    case blobStoreUnreachable = "blob_store_unreachable"
    /// A store refused the agent (login, rights, key, SAS).
    case denied
    /// No room left for the bytes.
    case diskFull = "disk_full"
    /// The state file could not be read or written.
    case stateFile = "state_file"
    /// Anything else.
    case other

    /// The reason for `error`.
    package init(classifying error: any Error) {
        switch error {
        case is IncompleteImage:
            self = .incompleteImage
        case is NotAnImage:
            self = .notAnImage
        case is MetadataProblems:
            self = .invalidMetadata
        case is SourceFileError, is FileChangedWhileReadError:
            self = error is FileChangedWhileReadError ? .fileChanged : .fileUnreadable
        case let error as BlobStoreError:
            switch error.code {
            case .unavailable: self = .blobStoreUnreachable
            case .denied: self = .denied
            case .full: self = .diskFull
            case .contentChanged: self = .fileChanged
            case .sourceUnreadable: self = .fileUnreadable
            default: self = .other
            }
        case let error as CatalogueError:
            switch error.code {
            case .unavailable: self = .catalogueUnreachable
            case .misconfigured: self = .denied
            default: self = .other
            }
        case is SyncStateError:
            self = .stateFile
        case let error as SyncRunError:
            self = error.reason
        default:
            self = .other
        }
    }
}
