import Foundation
import Logging

/// The sync engine: scans set folders, hashes images, and stores each new one
/// in the catalogue and the blob store exactly once.
///
/// It keeps no state between calls besides the ``SyncState`` file, so a pass
/// may be run by `sync` once, or by `watch` again and again.
public struct SyncEngine: Sendable {
    /// Points where tests interrupt the engine.
    package struct Hooks: Sendable {
        /// Called after each durable write; throwing `CancellationError`
        /// abandons the pass there, as a kill would.
        package var afterWrite: @Sendable (WriteStep) throws -> Void = { _ in }
        /// Called with a file's path once its outcome is in the state file
        /// (the benchmark's watch-latency case times this).
        package var afterFileRecorded: @Sendable (String) -> Void = { _ in }
        /// Called with a file's path after the folder was listed and before
        /// the file is opened (tests swap the file for a link or a FIFO there).
        package var beforeOpening: @Sendable (String) -> Void = { _ in }
        /// Called with a file's path once it is open, before it is read
        /// (tests rewrite the file there, as a copy still under way would).
        package var afterOpening: @Sendable (String) -> Void = { _ in }

        package init() {}
    }

    let catalogue: any Catalogue
    let blobStore: any BlobStore
    let state: SyncState
    let extensions: ImageExtensions
    /// Files of a folder stored at the same time.
    let parallelUploads: Int
    /// When set, a set folder is taken only once a file of this name is in it.
    let readyMarker: String?
    /// Whether symbolic links to images and set folders are followed (off by
    /// default: a link could make the agent upload a file it was never given).
    let followsSymlinks: Bool
    /// Writes each folder's status file, when the agent is asked to.
    public let statusFiles: StatusFileWriter?
    /// Bounds the files hashed at once (``filesHashedAtOnce``), across
    /// every copy of this engine.
    let hashingPermits = AsyncPermits(SyncEngine.filesHashedAtOnce)
    /// Remembers which left-out entries and notes were said, across passes.
    let skipNotices = SkipNotices()
    let logger: Logger
    package var hooks = Hooks()

    /// Files hashed at the same time: all cores but one, which is left to
    /// the uploads (sending, and the service's checks when it runs on this
    /// machine). Hashing is CPU-bound, so more at once would finish no
    /// sooner, and would hold every file's upload back until all of them
    /// are hashed; this way a file is sent while the next one is hashed.
    static var filesHashedAtOnce: Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    }

    /// Files up to this size are read into memory whole when hashed, and
    /// stored from that memory: they are read once and hashed once. Memory
    /// held for them is at most this times ``parallelUploads`` (16 MiB with
    /// the default four); larger files are streamed.
    static let keptFileSize = 4 << 20

    /// Makes an engine writing rows to `catalogue` and bytes to `blobStore`,
    /// remembering progress in `state`.
    ///
    /// - Parameters:
    ///   - parallelUploads: Files of a folder stored at the same time.
    ///   - readyMarker: When set, a set folder waits until a file of this
    ///     name appears in it (for copy tools that cannot be trusted).
    ///   - followsSymlinks: Whether links to images and set folders are taken.
    ///   - statusFiles: When set, each pass's outcome is written into the folder.
    public init(
        catalogue: any Catalogue,
        blobStore: any BlobStore,
        state: SyncState,
        extensions: ImageExtensions = .nachetDefault,
        parallelUploads: Int = 4,
        readyMarker: String? = nil,
        followsSymlinks: Bool = false,
        statusFiles: StatusFileWriter? = nil,
        logger: Logger
    ) {
        self.followsSymlinks = followsSymlinks
        self.catalogue = catalogue
        self.blobStore = blobStore
        self.state = state
        self.extensions = extensions
        self.parallelUploads = parallelUploads
        self.readyMarker = readyMarker
        self.statusFiles = statusFiles
        self.logger = logger
    }

    /// One pass over every set folder of `dropDirectory`.
    ///
    /// Problems of one folder or file are reported in the result and never
    /// stop the others.
    /// - Throws: ``SyncRunError`` when the drop directory cannot be listed or
    ///   the seed catalogue cannot be read; `CancellationError` when cancelled.
    public func syncDropDirectory(_ dropDirectory: String, readiness: StabilityTracker) async throws -> SyncReport {
        let listing = try await listDropDirectory(dropDirectory)
        let seeds = try await seedDirectory()
        var reports: [FolderReport] = []
        for name in listing.setFolders {
            try Task.checkCancellation()
            reports.append(try await syncFolder(dropDirectory + "/" + name, seeds: seeds, readiness: readiness))
        }
        statusFiles?.flushAll()
        return SyncReport(folders: reports, skipped: listing.skipped)
    }

    /// The set folders of `dropDirectory`; what it holds besides them is
    /// said once.
    /// - Throws: ``SyncRunError`` when it cannot be listed.
    public func listDropDirectory(_ dropDirectory: String) async throws(SyncRunError) -> DropFolderListing {
        let listing: DropFolderListing
        do {
            listing = try await BlockingWork.run { [extensions, followsSymlinks] in
                try DropFolderListing.list(dropDirectory, extensions: extensions, followingSymlinks: followsSymlinks)
            }
        } catch {
            throw SyncRunError("cannot read the drop folder: \(error)")
        }
        var logger = self.logger
        logger[metadataKey: "drop_folder"] = "\(dropDirectory)"
        skipNotices.announce(listing.skipped, in: dropDirectory, logger: logger)
        return listing
    }

    /// One pass over the set folder at `path`.
    /// - Throws: ``SyncRunError`` when the seed catalogue cannot be read;
    ///   `CancellationError` when cancelled.
    public func syncFolder(_ path: String, readiness: StabilityTracker) async throws -> FolderReport {
        try await syncFolder(path, seeds: try await seedDirectory(), readiness: readiness)
    }

    /// Registers a user with its `General` picture set and blob folder, as
    /// Nachet does when someone signs up; does nothing more for a known user.
    /// - Returns: The user, and whether it was created now.
    public func registerUser(email: String) async throws -> (user: CatalogueUser, created: Bool) {
        let (user, created) = try await catalogue.registerUser(email: email)
        if let setID = user.defaultSetID {
            try await storeFolderMarker(folder: BlobLayout.defaultFolderName, setID: setID, owner: user.id)
        }
        return (user, created)
    }

    func seedDirectory() async throws -> SeedDirectory {
        do {
            return SeedDirectory(try await catalogue.seeds())
        } catch {
            throw SyncRunError.escalating(error) ?? SyncRunError("cannot read the seed catalogue: \(error)")
        }
    }

    /// Creates the user's container when missing and writes the folder marker
    /// `<folder>/<folder>.json` unless it exists.
    func storeFolderMarker(folder: String, setID: UUID, owner: UUID) async throws(BlobStoreError) {
        try await blobStore.createContainerIfMissing(BlobLayout.container(forUser: owner))
        let marker = FolderMarkerDocument(folderName: folder, setID: setID).data
        _ = try await blobStore.putIfAbsent(
            BlobLayout.folderMarker(folder: folder, user: owner),
            content: .data(marker),
            properties: BlobUploadProperties(
                sha256: SHA256Digest.hash(marker),
                tags: BlobLayout.folderMarkerTags(setID: setID)
            )
        )
    }
}

/// A failure that stops a whole pass (as opposed to one folder or file):
/// the drop folder, the state file, or a backend every file needs.
public struct SyncRunError: Error, CustomStringConvertible, Sendable {
    public var message: String
    /// Whether retrying later may succeed by itself (a server down, a disk
    /// full) rather than needing a person (a wrong password).
    public var isTransient: Bool

    public init(_ message: String, isTransient: Bool = false) {
        self.message = message
        self.isTransient = isTransient
    }

    public var description: String { message }

    /// The pass-stopping form of `error`, or `nil` when it concerns one file
    /// or folder only.
    static func escalating(_ error: any Error) -> SyncRunError? {
        switch error {
        case let error as SyncRunError:
            return error
        case let error as CatalogueError where error.affectsEveryFile:
            return SyncRunError(error.message, isTransient: error.code == .unavailable)
        case let error as BlobStoreError where error.affectsEveryFile:
            return SyncRunError(error.message, isTransient: error.code != .denied)
        case let error as SyncStateError:
            return SyncRunError(error.message, isTransient: true)
        default:
            return nil
        }
    }
}
