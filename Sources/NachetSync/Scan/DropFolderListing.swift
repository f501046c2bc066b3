import Foundation
import Glibc

/// What is in a drop folder: its set folders, and every other entry with the
/// reason it is not taken.
package struct DropFolderListing: Sendable {
    /// The drop folder's path.
    package var path: String
    /// The names of its set folders, sorted.
    package var setFolders: [String]
    /// Entries not taken, sorted by name, each with why.
    package var skipped: [SkippedEntry]

    /// Lists the drop folder at `path`.
    ///
    /// - Parameters:
    ///   - extensions: The image types: an image left directly in the drop
    ///     folder is a problem worth an error, another file only a note.
    ///   - followingSymlinks: Whether a set folder may be a symbolic link.
    package static func list(
        _ path: String,
        extensions: ImageExtensions,
        followingSymlinks: Bool = false
    ) throws(DirectoryReadError) -> DropFolderListing {
        // The drop folder itself is the administrator's choice: it may be a link.
        let directory = try DirectoryHandle(opening: path, followingSymlinks: true)
        var listing = DropFolderListing(path: path, setFolders: [], skipped: [])
        for entry in try directory.entries() {
            listing.add(entry, in: directory, extensions: extensions, followingSymlinks: followingSymlinks)
        }
        listing.setFolders.sort()
        listing.skipped.sort { $0.name < $1.name }
        return listing
    }

    private mutating func add(
        _ entry: DirectoryEntryName,
        in directory: DirectoryHandle,
        extensions: ImageExtensions,
        followingSymlinks: Bool
    ) {
        func skip(_ reason: SkippedEntry.Reason, detail: String? = nil, isProblem: Bool) {
            skipped.append(SkippedEntry(name: entry.display, folder: path, reason: reason, detail: detail, isProblem: isProblem))
        }
        let isFolder = entry.type == DT_DIR
        guard let name = entry.text else { return skip(.nameNotUTF8, isProblem: isFolder || entry.type == DT_UNKNOWN) }
        if name.hasPrefix(".") { return skip(.hiddenName, isProblem: false) }
        if DirectoryEntries.isIgnored(name) { return skip(.temporaryName, isProblem: false) }
        let status: stat
        switch directory.status(of: name, followingSymlinks: followingSymlinks) {
        case .success(let found): status = found
        case .failure(let failure) where failure.errno == ENOENT: return
        case .failure(let failure) where failure.errno == ENAMETOOLONG: return skip(.pathTooLong, isProblem: true)
        case .failure(let failure): return skip(.unreadable, detail: String(cString: strerror(failure.errno)), isProblem: true)
        }
        switch status.st_mode & S_IFMT {
        case S_IFDIR where (path + "/" + name).utf8.count >= Int(PATH_MAX):
            skip(.pathTooLong, isProblem: true)
        case S_IFDIR:
            setFolders.append(name)
        case S_IFLNK:
            let target = directory.linkTarget(of: name)
            let pointsToFolder = directory.status(of: name, followingSymlinks: true).map { $0.st_mode & S_IFMT == S_IFDIR }
            skip(.symbolicLink, detail: target.map { "to \($0)" }, isProblem: (try? pointsToFolder.get()) ?? false || extensions.accepts(fileName: name))
        default:
            skip(.fileOutsideSetFolder, isProblem: extensions.accepts(fileName: name))
        }
    }
}
