import Foundation
import Glibc

/// What is in one set folder: its image files and whether it has metadata.
public struct SetFolderListing: Sendable {
    /// One image file found in the folder.
    public struct Entry: Sendable, Hashable {
        /// The file's name inside the folder.
        public var name: String
        /// The file's full path.
        public var path: String
        /// What `stat` said of it while listing.
        public var signature: FileSignature
    }

    /// The name of the metadata file looked for in each set folder.
    public static let metadataFileName = "metadata.json"

    /// The folder's full path.
    public var path: String
    /// The image files, sorted by name.
    public var images: [Entry]
    /// Whether a `metadata.json` is present.
    public var hasMetadata: Bool

    /// Lists `path`, keeping regular files whose extension `extensions` accepts.
    ///
    /// Hidden names (`.*`) and Office lock files (`~$*`) are skipped: copy tools
    /// write temporary files under such names.
    public static func list(_ path: String, extensions: ImageExtensions) throws(DirectoryReadError) -> SetFolderListing {
        var images: [Entry] = []
        var hasMetadata = false
        for name in try DirectoryEntries.names(in: path) {
            if name == metadataFileName {
                hasMetadata = true
                continue
            }
            guard !DirectoryEntries.isIgnored(name), extensions.accepts(fileName: name) else { continue }
            let filePath = path + "/" + name
            var status = stat()
            guard lstat(filePath, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { continue }
            images.append(Entry(name: name, path: filePath, signature: FileSignature(status)))
        }
        images.sort { $0.name < $1.name }
        return SetFolderListing(path: path, images: images, hasMetadata: hasMetadata)
    }
}
