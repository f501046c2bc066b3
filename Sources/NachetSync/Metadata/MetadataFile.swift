import Foundation
import Glibc

/// Reads a set folder's `metadata.json` as carefully as its images: never
/// through a symbolic link (unless links are followed), never blocking on a
/// FIFO, and never more than ``sizeLimit`` bytes, whatever the file is.
enum MetadataFile {
    /// The largest `metadata.json` read: the file holds a few fields, so
    /// anything near this is not a metadata file.
    static let sizeLimit = SetMetadata.maximumFileSize

    /// The bytes of `metadata.json` in `directory`.
    ///
    /// - Throws: ``MetadataProblems`` saying why it cannot be read, with the fix.
    static func read(in directory: DirectoryHandle, followingSymlinks: Bool) throws(MetadataProblems) -> Data {
        let name = SetFolderListing.metadataFileName
        let descriptor: Int32
        switch directory.openForReading(name, followingSymlinks: followingSymlinks) {
        case .success(let opened):
            descriptor = opened
        case .failure(let failure) where failure.errno == ELOOP:
            throw problem(
                "metadata.json is a symbolic link, and links are not followed",
                fix: "put the file itself in the folder (or set \(Setting.followSymlinks.variable)=true)")
        case .failure(let failure):
            throw problem("cannot read metadata.json (\(String(cString: strerror(failure.errno))))", fix: "give the agent's user read permission on it")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw problem("cannot read metadata.json (\(String(cString: strerror(errno))))", fix: "give the agent's user read permission on it")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw problem("metadata.json is not a regular file (\(SkippedEntry.kind(of: status)))", fix: "replace it with the JSON file itself")
        }
        guard status.st_size <= sizeLimit else {
            throw tooLarge(Int64(status.st_size))
        }
        // Room for the size fstat gave and one byte more (to see a file that
        // grew since), grown up to the limit if it keeps growing: a buffer
        // of the limit for every folder in flight held 64 MiB at once.
        var data = Data(count: min(max(Int(status.st_size), 0), sizeLimit) + 1)
        var filled = 0
        while true {
            if filled == data.count {
                guard data.count <= sizeLimit else { break }
                data.count = min(data.count * 2, sizeLimit + 1)
            }
            let count = data.withUnsafeMutableBytes { buffer in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(descriptor, base + filled, buffer.count - filled, off_t(filled))
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw problem("cannot read metadata.json (\(String(cString: strerror(errno))))", fix: "check the drive or network mount")
            }
            if count == 0 { break }
            filled += count
        }
        // It may have grown since fstat.
        guard filled <= sizeLimit else { throw tooLarge(Int64(filled)) }
        data.count = filled
        return data
    }

    private static func tooLarge(_ size: Int64) -> MetadataProblems {
        problem(
            "metadata.json is \(size) bytes; it holds a few fields and must be under \(sizeLimit / (1 << 20)) MiB",
            fix: "check that the right file was saved as metadata.json")
    }

    private static func problem(_ message: String, fix: String) -> MetadataProblems {
        MetadataProblems([MetadataProblem(field: nil, message: message, fix: fix)])
    }
}
