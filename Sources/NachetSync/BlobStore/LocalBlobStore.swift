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
package struct LocalBlobStore: BlobStore {
    /// The directory holding the containers.
    package let root: String

    package var location: String { root }

    /// Where puts write their bytes before linking them into place: on the
    /// store's own filesystem but outside every container, so a put cut
    /// short (a crash, a power cut) leaves nothing in a folder Nachet lists.
    var stagingDirectory: String { root + "/.uploads" }

    /// How old a staged file must be to count as abandoned by a crashed put;
    /// no put of one file takes this long, whichever agent runs it.
    static let abandonedAfter: TimeInterval = 3_600

    /// Uses `root`, creating it when missing, and removes what puts cut
    /// short by a crash left staged.
    package init(root: String) throws(BlobStoreError) {
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

    /// The name of the file in the root holding the store's id.
    static let identityFileName = ".nachet-sync-store-id"

    /// The id written in the root when the store was first identified
    /// (``identityFileName``): the same folder reached by another path (a
    /// link, another mount point) is the same store, and a folder emptied
    /// and made anew is another one.
    package func identity() async throws(BlobStoreError) -> String? {
        let path = root + "/" + Self.identityFileName
        return try await BlockingWork.run { () throws(BlobStoreError) -> String? in
            if let id = Self.readIdentity(path) { return "local-store:" + id }
            let id = UUID().lowercased
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
            if descriptor < 0 {
                // Another agent made it first: its id is the store's.
                if errno == EEXIST, let id = Self.readIdentity(path) { return "local-store:" + id }
                throw Self.error(errno, doing: "write", path)
            }
            defer { close(descriptor) }
            let written = Array((id + "\n").utf8).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written == id.utf8.count + 1, fsync(descriptor) == 0 else { throw Self.error(errno, doing: "write", path) }
            return "local-store:" + id
        }
    }

    /// The id in the file at `path`, when it holds one.
    private static func readIdentity(_ path: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return UUIDText.parse(text.trimmingCharacters(in: .whitespacesAndNewlines))?.lowercased
    }

    package func createContainerIfMissing(_ container: String) async throws(BlobStoreError) {
        try Self.makeDirectories(root + "/" + container)
    }

    /// Keeps no file in memory: a file's bytes go into a staging file as
    /// they are read and hashed, so a file is read once.
    package func stagingPlan(forSize size: Int64) -> StagingPlan {
        StagingPlan(sendsBytes: false)
    }

    package func makeStagingFile(expectedSize: Int64) throws(BlobStoreError) -> StagingFile? {
        try newStagingFile(expectedSize: expectedSize)
    }

    /// A new, empty file in the staging folder.
    private func newStagingFile(expectedSize: Int64) throws(BlobStoreError) -> StagingFile {
        try StagingFile(creating: stagingDirectory + "/" + UUID().lowercased, expectedSize: expectedSize)
    }

    /// Syncs the staging file the bytes were written into as they were
    /// read; bytes in memory or in a file are written into a new one,
    /// hashed no second time. A private file (`serve`'s spool) is synced
    /// and committed from where it is, not copied.
    package func stage(_ content: FingerprintedContent, for blob: BlobReference) async throws(BlobStoreError) -> StagedBlob {
        let (path, keeping) = try await BlockingWork.run { () throws(BlobStoreError) -> (String, (any Sendable)?) in
            switch content.bytes {
            case .staged(let file):
                try Self.finish(file, expecting: content.size)
                return (file.path, file)
            case .memory(let bytes):
                let file = try newStagingFile(expectedSize: content.size)
                try bytes.withUnsafeReadableBytes { (bytes) throws(BlobStoreError) in try file.append(bytes) }
                try Self.finish(file, expecting: content.size)
                return (file.path, file)
            case .file(let source):
                let file = try newStagingFile(expectedSize: content.size)
                try Self.copy(source, into: file, expecting: content.sha256)
                try Self.finish(file, expecting: content.size)
                return (file.path, file)
            case .privateFile(let source):
                guard fsync(source.descriptor) == 0 else { throw Self.error(errno, doing: "write", source.path) }
                return (source.path, source)
            }
        }
        return StagedBlob(
            sha256: content.sha256, size: content.size, blob: blob,
            commit: { target, tags throws(BlobStoreError) in
                // Holds the staging file (removed once it goes) until the commit.
                _ = keeping
                return try await BlockingWork.run { () throws(BlobStoreError) in
                    try linkStaged(path, sha256: content.sha256, size: content.size, as: target, tags: tags)
                }
            },
            discard: { if case .staged(let file) = content.bytes { unlink(file.path) } })
    }

    /// Syncs `file`, which must hold `size` bytes.
    private static func finish(_ file: StagingFile, expecting size: Int64) throws(BlobStoreError) {
        let written = try file.finish()
        guard written == size else {
            throw BlobStoreError(.contentChanged, "\(written) bytes were staged where \(size) were hashed; the picture is taken again")
        }
    }

    /// Copies the open `source` into `file`, checking it still hashes to
    /// `sha256`: nothing else would tell a file rewritten in place since it
    /// was hashed. Only content handed in by a reader that did not write into
    /// the store's staging file comes this way (the engine always does, and
    /// `serve` hands its spool over): no picture is hashed twice.
    private static func copy(_ source: SourceFile, into file: StagingFile, expecting sha256: ContentHash) throws(BlobStoreError) {
        let digest = SHA256Digest()
        do {
            try FileContent(file: source).forEachChunk { (bytes) throws(BlobStoreError) in
                digest.update(bytes)
                try file.append(bytes)
            }
        } catch let failure as BlobStoreError {
            throw failure
        } catch let changed as FileChangedWhileReadError {
            throw BlobStoreError.sourceChanged(path: changed.path)
        } catch {
            throw BlobStoreError(.sourceUnreadable, "\(error)")
        }
        let actual = digest.finish()
        guard actual == sha256 else { throw BlobStoreError.contentChanged(actual: actual, expected: sha256) }
    }

    /// Writes the blob's properties, then links the staged file to the
    /// blob's name: `link` fails when the name exists, so the commit is
    /// if-absent even between processes, and the blob appears whole.
    private func linkStaged(
        _ staging: String, sha256: ContentHash, size: Int64, as blob: BlobReference, tags: [String: String]
    ) throws(BlobStoreError) -> BlobPutOutcome {
        let target = path(of: blob)
        if access(target, F_OK) == 0 { return .alreadyExists }
        let directory = (target as NSString).deletingLastPathComponent
        try Self.makeDirectories(directory)
        try writeProperties(BlobProperties(contentLength: size, sha256: sha256, tags: tags), of: blob)
        guard link(staging, target) == 0 else {
            if errno == EEXIST { return .alreadyExists }
            throw Self.error(errno, doing: "store", target)
        }
        Self.syncDirectory(directory)
        return .created
    }

    package func read(_ blob: BlobReference, offset: Int64, length: Int) async throws(BlobStoreError) -> ByteBuffer? {
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

    package func properties(of blob: BlobReference) async throws(BlobStoreError) -> BlobProperties? {
        var status = stat()
        guard stat(path(of: blob), &status) == 0 else {
            if errno == ENOENT { return nil }
            throw Self.error(errno, doing: "look at", path(of: blob))
        }
        var properties = readProperties(of: blob) ?? BlobProperties(contentLength: 0, sha256: nil, tags: [:])
        properties.contentLength = Int64(status.st_size)
        return properties
    }

    package func setTags(_ tags: [String: String], on blob: BlobReference) async throws(BlobStoreError) {
        guard var properties = try await properties(of: blob) else {
            throw BlobStoreError(.failed, "cannot tag \(blob): no such blob in \(root)")
        }
        properties.tags = tags
        try writeProperties(properties, of: blob)
    }

    package func url(of blob: BlobReference) -> String {
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
        let temporary = try StagingFile(creating: stagingDirectory + "/" + UUID().lowercased + ".json", expectedSize: Int64(data.count))
        try temporary.append(data)
        _ = try temporary.finish()
        guard rename(temporary.path, target) == 0 else { throw Self.error(errno, doing: "store the properties of", target) }
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
