import Foundation
import Glibc

/// Reads a set folder's `metadata.json` with bounded memory and without
/// waiting: a FIFO, a device or a directory under that name is refused
/// rather than read, and a file over ``SetMetadata/maximumFileSize`` is
/// refused without being read whole.
enum MetadataFile {
    /// The bytes of the `metadata.json` at `path`.
    /// - Throws: ``MetadataProblems`` with one problem saying why it cannot be used.
    static func read(atPath path: String) throws(MetadataProblems) -> Data {
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw unreadable(String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw unreadable(String(cString: strerror(errno))) }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw MetadataProblems([
                MetadataProblem(
                    field: nil, message: "metadata.json is not a regular file",
                    fix: "replace it with a plain text file holding the set's details")
            ])
        }
        let limit = SetMetadata.maximumFileSize
        guard Int64(status.st_size) <= Int64(limit) else {
            throw MetadataProblems([SetMetadata.tooLargeProblem(size: Int64(status.st_size))])
        }
        // Read to the end, which may lie past the size fstat gave (the file
        // grew), but never more than one chunk past the limit.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(status.st_size) + 1)
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while bytes.count <= limit {
            let got = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if got > 0 {
                bytes += chunk.prefix(got)
            } else if got < 0 && errno == EINTR {
                continue
            } else if got < 0 {
                throw unreadable(String(cString: strerror(errno)))
            } else {
                break
            }
        }
        guard bytes.count <= limit else { throw MetadataProblems([SetMetadata.tooLargeProblem(size: Int64(bytes.count))]) }
        return Data(bytes)
    }

    private static func unreadable(_ reason: String) -> MetadataProblems {
        MetadataProblems([
            MetadataProblem(field: nil, message: "cannot read metadata.json (\(reason))", fix: "give the agent's user read permission on it")
        ])
    }
}
