import Foundation
import Glibc

extension LocalBlobStore {
    /// Reads the container's folders below the prefix, off the cooperative
    /// threads; what the store keeps beside the containers (`.properties`,
    /// `.uploads`) is never listed.
    package func blobNames(in container: String, prefix: String) async throws(BlobStoreError) -> [String] {
        guard !container.isEmpty, !container.hasPrefix("."), !container.contains("/") else { return [] }
        // Only the folder the prefix ends in, and what lies below it, can
        // hold names that start with it.
        let start = prefix.lastIndex(of: "/").map { String(prefix[..<$0]) } ?? ""
        let containerPath = root + "/" + container
        return try await BlockingWork.run { () throws(BlobStoreError) -> [String] in
            var names: [String] = []
            try collectBlobNames(in: start, of: containerPath, prefix: prefix, into: &names)
            return names.sorted()
        }
    }

    /// Adds the names of the blobs in the folder `relative` of the container
    /// at `containerPath`, and below it, that start with `prefix`.
    private func collectBlobNames(
        in relative: String,
        of containerPath: String,
        prefix: String,
        into names: inout [String]
    ) throws(BlobStoreError) {
        let path = relative.isEmpty ? containerPath : containerPath + "/" + relative
        guard let directory = opendir(path) else {
            if errno == ENOENT || errno == ENOTDIR { return }
            throw Self.error(errno, doing: "list", path)
        }
        defer { closedir(directory) }
        var folders: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            guard name != ".", name != ".." else { continue }
            let blobName = relative.isEmpty ? name : relative + "/" + name
            if isFolder(entry.pointee.d_type, at: path + "/" + name) {
                if blobName.hasPrefix(prefix) || prefix.hasPrefix(blobName + "/") { folders.append(blobName) }
            } else if blobName.hasPrefix(prefix) {
                names.append(blobName)
            }
        }
        for folder in folders {
            try collectBlobNames(in: folder, of: containerPath, prefix: prefix, into: &names)
        }
    }

    /// Whether a directory entry is a folder (`d_type`, or `stat` where the
    /// filesystem does not fill it in).
    private func isFolder(_ type: UInt8, at path: String) -> Bool {
        if type != UInt8(DT_UNKNOWN) { return type == UInt8(DT_DIR) }
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }
}
