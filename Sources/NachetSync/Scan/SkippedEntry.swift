import Foundation
import Glibc

/// An entry of a drop folder or set folder that the agent does not take, and
/// why: nothing is left out without a word.
///
/// Entries that look like inputs the technician meant to upload (an image
/// behind a symbolic link, a name that is not UTF-8, a folder that is a
/// link) are ``isProblem``: they count as errors until someone acts. The
/// rest (hidden files, temporary names, files that are not images) are said
/// once and do not make a run fail.
package struct SkippedEntry: Sendable, Hashable, Codable {
    /// Why an entry is not taken.
    package enum Reason: String, Sendable, Hashable, Codable {
        /// A symbolic link, not followed by default.
        case symbolicLink = "symbolic link"
        /// A FIFO, socket, device or other file that is not a regular file.
        case notARegularFile = "not a regular file"
        /// A name whose bytes are not UTF-8, which Nachet cannot store.
        case nameNotUTF8 = "name not UTF-8"
        /// A path longer than the system allows.
        case pathTooLong = "path too long"
        /// A hidden name (`.*`): copy tools write temporary files so.
        case hiddenName = "hidden name"
        /// A name copy tools and browsers give unfinished files.
        case temporaryName = "temporary name"
        /// A file whose extension is not an image type taken.
        case notAnImage = "not an image type"
        /// A folder inside a set folder: only a set folder's own files are read.
        case folderInSetFolder = "folder inside a set folder"
        /// A file directly in the drop folder, outside any set folder.
        case fileOutsideSetFolder = "file outside a set folder"
        /// A set folder that cannot be listed at all.
        case unreadable = "cannot be read"
    }

    /// The entry's name as it appears in its folder (invalid bytes as `\xNN`).
    package var name: String
    /// The folder holding it.
    package var folder: String
    package var reason: Reason
    /// What was seen, when it helps (where a link points, what kind of file).
    package var detail: String?
    /// Whether it is an input someone meant to upload that cannot be taken:
    /// such entries count as errors.
    package var isProblem: Bool

    enum CodingKeys: String, CodingKey {
        case name, folder, reason, detail
        case isProblem = "is_problem"
    }

    package init(name: String, folder: String, reason: Reason, detail: String? = nil, isProblem: Bool) {
        self.name = name
        self.folder = folder
        self.reason = reason
        self.detail = detail
        self.isProblem = isProblem
    }

    /// The entry's path, for messages.
    package var path: String { folder + "/" + name }

    /// Why it is not taken, with what to do.
    package var explanation: String {
        let seen = detail.map { " (\($0))" } ?? ""
        switch reason {
        case .symbolicLink:
            return
                "a symbolic link\(seen); links are not followed, so a link cannot make the agent upload a file it should not read — copy the file itself into the folder, or set \(Setting.followSymlinks.variable)=true (--follow-symlinks) to take linked files and folders"
        case .notARegularFile:
            return "not a regular file\(seen); only image files are uploaded"
        case .nameNotUTF8:
            return
                "its name is not valid UTF-8, which Nachet cannot store; rename it (for example `convmv -f latin1 -t utf8 --notest NAME`, or rename it on the PC that wrote it)"
        case .pathTooLong:
            return "its path is longer than the system allows (\(PATH_MAX) bytes); shorten the folder or file name"
        case .hiddenName:
            return "a hidden name (starting with \".\"); copy tools write unfinished files so, and it is never uploaded"
        case .temporaryName:
            return "a temporary name (\(DirectoryEntries.temporaryEndings.joined(separator: ", ")), ~$…); it is taken once it gets its final name"
        case .notAnImage:
            return "not an image type taken\(seen); \(Setting.validExtensions.variable) lists the types uploaded"
        case .folderInSetFolder:
            return "a folder inside a set folder is not read; move its images up into the set folder, or make it a set folder of its own in the drop folder"
        case .fileOutsideSetFolder:
            return "a file directly in the drop folder is not uploaded: each picture set is a subfolder with a metadata.json; move it into one"
        case .unreadable:
            return "cannot be read\(seen)"
        }
    }

    /// One line: the name and why.
    package var line: String { "\(name): \(explanation)" }

    /// What `lstat` said the entry is, in words, for ``detail``.
    static func kind(of status: stat) -> String {
        switch status.st_mode & S_IFMT {
        case S_IFIFO: "a FIFO"
        case S_IFSOCK: "a socket"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFDIR: "a folder"
        case S_IFLNK: "a symbolic link"
        default: "a special file"
        }
    }
}
