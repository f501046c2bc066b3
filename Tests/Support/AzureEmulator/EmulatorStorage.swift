import Foundation

/// What the emulator holds: containers of committed blobs, and the blocks
/// staged for each blob name, kept apart as Azure keeps them.
struct EmulatorStorage {
    struct Blob {
        var data: Data
        var metadata: [String: String]
        var tags: [String: String]
        var contentType: String?
        var contentMD5: String?
        var committedBlocks: [(id: String, size: Int)]
        var etag: String
        var lastModified: Date
    }

    struct Container {
        var blobs: [String: Blob] = [:]
        /// Staged blocks by blob name, then block id.
        var uncommitted: [String: [String: Data]] = [:]
        var created = Date()
    }

    var containers: [String: Container] = [:]
}
