import Foundation
import Glibc
import NIOCore

/// The embedded blob store: a directory holding the same layout as Azure,
/// `<root>/user-<uuid>/<folder>/<picture id>`.
///
/// Each blob's properties (length, `sha256`, tags) are kept in
/// `<root>/.properties/<container>/<blob>.json`, outside the container, so a
/// listing of a folder holds only what Nachet expects there.
///
/// Staging writes the bytes to a file in `<root>/.uploads` (from the memory
/// the engine hashed them in, or streamed from the open file and hashed on
/// the way, so a large file is read once; with direct I/O where the
/// filesystem allows it, ``DirectFileWriter``) and syncs them. Committing
/// writes the properties, then `link(2)`s the file to its name: `link` fails
/// when the name exists, which makes the put atomic and if-absent even
/// between processes, and a crash leaves either no blob or a whole one, and
/// at most a staged file in `.uploads`, removed when a store is next opened
/// there.
///
/// Folders the store creates are 0700 and files 0600 (``PrivateFiles``):
/// the pictures are the lab's, readable by the agent's user alone.
public struct LocalBlobStore: BlobStore {
    /// The directory holding the containers.
    public let root: String

    public var location: String { root }

    /// Where puts write their bytes before linking them into place: on the
    /// store's own filesystem but outside every container, so a put cut
    /// short (a crash, a power cut) leaves nothing in a folder Nachet lists.
    var stagingDirectory: String { root + "/.uploads" }

    /// How old a staged file must be to count as abandoned by a crashed put;
    /// no put of one file takes this long, whichever agent runs it.
    static let abandonedAfter: TimeInterval = 3_600

    /// Uses `root`, creating it when missing, and removes what puts cut
    /// short by a crash left staged.
    public init(root: String) throws(BlobStoreError) {
        self.root = root
        try Self.makeDirectories(root + "/.uploads")
        removeAbandonedUploads()
    }

    private func removeAbandonedUploads() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: stagingDirectory)) ?? []
        let limit = Date().timeIntervalSince1970 - Self.abandonedAfter
        for name in names {
            let path = stagingDirectory + "/" + name
            var status = stat()
            if stat(path, &status) == 0, Double(status.st_mtim.tv_sec) < limit {
                unlink(path)
            }
        }
    }

    public func createContainerIfMissing(_ container: String) async throws(BlobStoreError) {
        try Self.makeDirectories(root + "/" + container)
    }

    /// Writes a file it is given unhashed once, hashing it on the way.
    public var hashesWhileStaging: Bool { true }

    public func stage(_ content: BlobContent, for blob: BlobReference) async throws(BlobStoreError) -> StagedBlob {
        let temporary = stagingDirectory + "/" + UUID().lowercased
        do {
            let (size, sha256) = try await BlockingWork.run { () throws(BlobStoreError) in try Self.write(content, to: temporary) }
            return StagedBlob(sha256: sha256, size: size, blob: blob, holding: .stagingFile(path: temporary))
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes the blob's properties, then links the staged file to the
    /// blob's name: `link` fails when the name exists, so the commit is
    /// if-absent even between processes, and the blob appears whole.
    public func commit(_ staged: StagedBlob, as blob: BlobReference, tags: [String: String]) async throws(BlobStoreError) -> BlobPutOutcome {
        guard case .stagingFile(let staging) = staged.holding else {
            throw BlobStoreError(.failed, "cannot commit \(blob): its bytes were not staged by the local blob store")
        }
        return try await BlockingWork.run { () throws(BlobStoreError) in try linkStaged(staged, from: staging, as: blob, tags: tags) }
    }

    private func linkStaged(_ staged: StagedBlob, from staging: String, as blob: BlobReference, tags: [String: String]) throws(BlobStoreError)
        -> BlobPutOutcome
    {
        defer { unlink(staging) }
        let target = path(of: blob)
        if access(target, F_OK) == 0 { return .alreadyExists }
        let directory = (target as NSString).deletingLastPathComponent
        try Self.makeDirectories(directory)
        try writeProperties(BlobProperties(contentLength: staged.size, sha256: staged.sha256, tags: tags), of: blob)
        guard link(staging, target) == 0 else {
            if errno == EEXIST { return .alreadyExists }
            throw Self.error(errno, doing: "store", target)
        }
        Self.syncDirectory(directory)
        return .created
    }

    public func discard(_ staged: StagedBlob) async {
        if case .stagingFile(let staging) = staged.holding { unlink(staging) }
    }

    public func read(_ blob: BlobReference, offset: Int64, length: Int) async throws(BlobStoreError) -> ByteBuffer? {
        let path = path(of: blob)
        return try await BlockingWork.run { () throws(BlobStoreError) -> ByteBuffer? in
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                if errno == ENOENT { return nil }
                throw Self.error(errno, doing: "read", path)
            }
            defer { close(descriptor) }
            var size = stat()
            guard fstat(descriptor, &size) == 0 else { throw Self.error(errno, doing: "read", path) }
            let available = max(0, min(Int64(length), Int64(size.st_size) - offset))
            guard available > 0 else { return ByteBuffer() }
            return try SourceBytes.read(descriptor, path: path, offset: offset, length: Int(available))
        }
    }

    public func properties(of blob: BlobReference) async throws(BlobStoreError) -> BlobProperties? {
        var status = stat()
        guard stat(path(of: blob), &status) == 0 else {
            if errno == ENOENT { return nil }
            throw Self.error(errno, doing: "look at", path(of: blob))
        }
        var properties = readProperties(of: blob) ?? BlobProperties(contentLength: 0, sha256: nil, tags: [:])
        properties.contentLength = Int64(status.st_size)
        return properties
    }

    public func setTags(_ tags: [String: String], on blob: BlobReference) async throws(BlobStoreError) {
        guard var properties = try await properties(of: blob) else {
            throw BlobStoreError(.failed, "cannot tag \(blob): no such blob in \(root)")
        }
        properties.tags = tags
        try writeProperties(properties, of: blob)
    }

    public func url(of blob: BlobReference) -> String {
        URL(fileURLWithPath: path(of: blob)).absoluteString
    }

    // MARK: - Files

    func path(of blob: BlobReference) -> String {
        root + "/" + blob.container + "/" + blob.name
    }

    private func propertiesPath(of blob: BlobReference) -> String {
        root + "/.properties/" + blob.container + "/" + blob.name + ".json"
    }

    private func readProperties(of blob: BlobReference) -> BlobProperties? {
        guard let data = FileManager.default.contents(atPath: propertiesPath(of: blob)) else { return nil }
        return try? JSONDecoder().decode(BlobProperties.self, from: data)
    }

    private func writeProperties(_ properties: BlobProperties, of blob: BlobReference) throws(BlobStoreError) {
        let target = propertiesPath(of: blob)
        try Self.makeDirectories((target as NSString).deletingLastPathComponent)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        guard let data = try? encoder.encode(properties) else {
            throw BlobStoreError(.failed, "cannot encode the properties of \(blob)")
        }
        let temporary = stagingDirectory + "/" + UUID().lowercased + ".json"
        defer { unlink(temporary) }
        _ = try Self.write(.data(data), to: temporary)
        guard rename(temporary, target) == 0 else { throw Self.error(errno, doing: "store the properties of", target) }
    }

    /// Writes `content` to a new file at `path` and fsyncs it, hashing what
    /// it writes unless that hash was taken before; a file given with its
    /// fingerprint must hash to it.
    /// - Returns: The number of bytes written and their SHA-256.
    private static func write(_ content: BlobContent, to path: String) throws(BlobStoreError) -> (Int64, ContentHash) {
        let file = try DirectFileWriter(creating: path, expectedSize: content.expectedSize)
        let digest = SHA256Digest()
        // The hash of what is written, when it was taken before (bytes the
        // engine read and hashed, written from that very memory).
        var hashedBefore: ContentHash?
        var expected: ContentHash?
        do {
            switch content {
            case .data(let data):
                try data.withUnsafeBytes { bytes in
                    digest.update(bytes)
                    try file.append(bytes)
                }
            case .hashedBytes(let bytes, let sha256):
                hashedBefore = sha256
                try bytes.withUnsafeReadableBytes { try file.append($0) }
            case .hashedFile(let fingerprint, _) where fingerprint.bytes != nil:
                hashedBefore = fingerprint.sha256
                try fingerprint.bytes?.withUnsafeReadableBytes { try file.append($0) }
            case .file(let source), .hashedFile(_, let source):
                if case .hashedFile(let fingerprint, _) = content { expected = fingerprint.sha256 }
                try FileContent(file: source).forEachChunk { bytes in
                    digest.update(bytes)
                    try file.append(bytes)
                }
            }
        } catch let failure as BlobStoreError {
            throw failure
        } catch let changed as FileChangedWhileReadError {
            throw BlobStoreError.sourceChanged(path: changed.path)
        } catch {
            throw BlobStoreError(.sourceUnreadable, "\(error)")
        }
        let written = try file.finish()
        let actual = hashedBefore ?? digest.finish()
        if let expected, actual != expected { throw BlobStoreError.contentChanged(actual: actual, expected: expected) }
        return (written, actual)
    }

    private static func syncDirectory(_ path: String) {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    /// Creates the folder at `path` and missing parents, each 0700: the
    /// store's folders are its user's only, like its files.
    private static func makeDirectories(_ path: String) throws(BlobStoreError) {
        if let failure = PrivateFiles.createDirectory(path) {
            throw BlobStoreError(
                .failed,
                "cannot create the folder \(path): \(String(cString: strerror(failure))); check that the blob store's location is writable")
        }
    }

    /// A plain message for a failed system call on `path`, with the fix.
    static func error(_ number: Int32, doing action: String, _ path: String) -> BlobStoreError {
        let reason = String(cString: strerror(number))
        switch number {
        case ENOSPC, EDQUOT:
            return BlobStoreError(
                .full, "cannot \(action) \(path): the disk is full (\(reason)); free space on that volume, the upload is retried later")
        case EACCES, EPERM, EROFS:
            return BlobStoreError(
                .denied, "cannot \(action) \(path): \(reason); give the agent's user write permission on the blob store folder")
        default:
            return BlobStoreError(.failed, "cannot \(action) \(path): \(reason)")
        }
    }
}
