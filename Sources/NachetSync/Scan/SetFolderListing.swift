import Foundation
import Glibc

/// What is in one set folder: its image files, whether it has metadata, and
/// every other entry with the reason it is not taken.
package struct SetFolderListing: Sendable {
    /// One image file found in the folder.
    package struct Entry: Sendable, Hashable {
        /// The file's name inside the folder.
        package var name: String
        /// The file's full path.
        package var path: String
        /// What `stat` said of it while listing.
        package var signature: FileSignature
        /// The device holding it: with the inode, which file the listing saw.
        package var device: UInt64
    }

    /// The name of the metadata file looked for in each set folder.
    package static let metadataFileName = "metadata.json"

    /// The folder's full path.
    package var path: String
    /// The folder, opened: files are opened relative to it (``SourceFile``).
    package var directory: DirectoryHandle
    /// The image files, sorted by name.
    package var images: [Entry]
    /// Whether a `metadata.json` is present.
    package var hasMetadata: Bool
    /// Whether the ready marker (``list(_:extensions:followingSymlinks:ownNames:)``'s
    /// `readyMarker`) is present.
    package var hasReadyMarker: Bool
    /// Entries not taken, sorted by name, each with why.
    package var skipped: [SkippedEntry]
    /// Which folder this is (device and inode), whatever its name.
    package var identity: FolderIdentity
    /// What `lstat` says of `metadata.json`, when it is a regular file.
    package var metadataSignature: FileSignature?

    /// A digest of everything a pass over the folder depends on in the
    /// folder itself: each image's name, size, time and inode, the same of
    /// `metadata.json`, and whether the ready marker is there. Equal digests
    /// mean a pass has the same work to do.
    package var digest: String {
        var text = ""
        for image in images {
            text += "\(image.name)\u{0}\(image.signature.size) \(image.signature.modificationTimeNanoseconds) \(image.signature.inode)\n"
        }
        if let metadata = metadataSignature {
            text += "\u{1}metadata \(metadata.size) \(metadata.modificationTimeNanoseconds) \(metadata.inode)\n"
        }
        text += hasReadyMarker ? "\u{1}ready\n" : ""
        return SHA256Digest.hash(Data(text.utf8)).hex
    }

    /// Lists `path`, keeping regular files whose extension `extensions`
    /// accepts, and saying why each other entry is left out.
    ///
    /// - Parameters:
    ///   - followingSymlinks: Whether links are followed: off by default, so a
    ///     link cannot make the agent upload a file it was never given.
    ///   - readyMarker: The marker file's name in marker mode.
    ///   - ownNames: Names the agent itself writes there (its status file),
    ///     neither taken nor reported.
    package static func list(
        _ path: String,
        extensions: ImageExtensions,
        followingSymlinks: Bool = false,
        readyMarker: String? = nil,
        ownNames: Set<String> = []
    ) throws(DirectoryReadError) -> SetFolderListing {
        let directory = try DirectoryHandle(opening: path, followingSymlinks: followingSymlinks)
        var status = stat()
        guard fstat(directory.descriptor, &status) == 0 else { throw DirectoryReadError(path: path, errno: errno) }
        var listing = SetFolderListing(
            path: path, directory: directory, images: [], hasMetadata: false, hasReadyMarker: false, skipped: [],
            identity: FolderIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino)))
        for entry in try directory.entries() {
            listing.add(entry, extensions: extensions, followingSymlinks: followingSymlinks, readyMarker: readyMarker, ownNames: ownNames)
        }
        listing.images.sort { $0.name < $1.name }
        listing.skipped.sort { $0.name < $1.name }
        return listing
    }

    private mutating func add(
        _ entry: DirectoryEntryName,
        extensions: ImageExtensions,
        followingSymlinks: Bool,
        readyMarker: String?,
        ownNames: Set<String>
    ) {
        func skip(_ reason: SkippedEntry.Reason, detail: String? = nil, isProblem: Bool) {
            skipped.append(SkippedEntry(name: entry.display, folder: path, reason: reason, detail: detail, isProblem: isProblem))
        }
        guard let name = entry.text else { return skip(.nameNotUTF8, isProblem: true) }
        if name == Self.metadataFileName {
            hasMetadata = true
            if case .success(let status) = directory.status(of: name, followingSymlinks: followingSymlinks), status.st_mode & S_IFMT == S_IFREG {
                metadataSignature = FileSignature(status)
            }
            return
        }
        if name == readyMarker {
            hasReadyMarker = true
            return
        }
        if ownNames.contains(name) { return }
        let looksLikeImage = extensions.accepts(fileName: name)
        if name.hasPrefix(".") { return skip(.hiddenName, isProblem: false) }
        if DirectoryEntries.isIgnored(name) { return skip(.temporaryName, isProblem: false) }
        let filePath = path + "/" + name
        if filePath.utf8.count >= Int(PATH_MAX) { return skip(.pathTooLong, isProblem: looksLikeImage) }
        // readdir's type spares a stat of every entry that is not an image.
        if !looksLikeImage && !followingSymlinks && entry.type != DT_UNKNOWN && entry.type != DT_LNK {
            if entry.type == DT_DIR { return skip(.folderInSetFolder, isProblem: false) }
            if entry.type != DT_REG { return skip(.notARegularFile, detail: Self.kind(ofType: entry.type), isProblem: false) }
            return skip(.notAnImage, detail: Self.extensionDetail(name), isProblem: false)
        }
        let status: stat
        switch directory.status(of: name, followingSymlinks: followingSymlinks) {
        case .success(let found): status = found
        case .failure(let failure) where failure.errno == ENOENT: return  // gone since it was listed
        case .failure(let failure) where failure.errno == ENAMETOOLONG: return skip(.pathTooLong, isProblem: looksLikeImage)
        case .failure(let failure): return skip(.unreadable, detail: String(cString: strerror(failure.errno)), isProblem: looksLikeImage)
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG where looksLikeImage:
            images.append(Entry(name: name, path: filePath, signature: FileSignature(status), device: UInt64(status.st_dev)))
        case S_IFREG:
            skip(.notAnImage, detail: Self.extensionDetail(name), isProblem: false)
        case S_IFLNK:
            let target = directory.linkTarget(of: name)
            skip(
                .symbolicLink, detail: target.map { "to \($0)" },
                isProblem: looksLikeImage || extensions.accepts(fileName: target ?? ""))
        case S_IFDIR:
            skip(.folderInSetFolder, isProblem: false)
        default:
            skip(.notARegularFile, detail: SkippedEntry.kind(of: status), isProblem: looksLikeImage)
        }
    }

    /// The extension of `name`, for a "not an image type" message.
    private static func extensionDetail(_ name: String) -> String {
        let ending = (name as NSString).pathExtension
        return ending.isEmpty ? "no extension" : "." + ending
    }

    private static func kind(ofType type: UInt8) -> String {
        switch Int32(type) {
        case Int32(DT_FIFO): "a FIFO"
        case Int32(DT_SOCK): "a socket"
        case Int32(DT_CHR): "a character device"
        case Int32(DT_BLK): "a block device"
        default: "a special file"
        }
    }
}
