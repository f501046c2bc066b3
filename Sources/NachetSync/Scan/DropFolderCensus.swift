import Foundation

/// How many images a drop folder's set folders hold, and their bytes, taken
/// by listing them (`stat` only, no image read): the totals of `sync`'s
/// progress line on a terminal. Folders that cannot be listed count nothing.
package struct DropFolderCensus: Sendable, Equatable {
    /// Set folders listed.
    package var setFolders = 0
    /// Images in them.
    package var files = 0
    /// Their bytes.
    package var bytes: Int64 = 0

    /// Counts the images of every set folder of `dropDirectory`, on the
    /// threads for blocking work.
    package static func take(
        _ dropDirectory: String,
        extensions: ImageExtensions,
        followingSymlinks: Bool = false
    ) async -> DropFolderCensus {
        await BlockingWork.run { count(dropDirectory, extensions: extensions, followingSymlinks: followingSymlinks) }
    }

    static func count(_ dropDirectory: String, extensions: ImageExtensions, followingSymlinks: Bool) -> DropFolderCensus {
        var census = DropFolderCensus()
        guard let drop = try? DropFolderListing.list(dropDirectory, extensions: extensions, followingSymlinks: followingSymlinks) else {
            return census
        }
        for name in drop.setFolders {
            guard
                let listing = try? SetFolderListing.list(
                    dropDirectory + "/" + name, extensions: extensions, followingSymlinks: followingSymlinks,
                    ownNames: StatusFileWriter.ownNames)
            else { continue }
            census.setFolders += 1
            census.files += listing.images.count
            census.bytes += listing.images.reduce(0) { $0 + $1.signature.size }
        }
        return census
    }
}
