import Foundation
import Logging

/// The sync engine: scans set folders, hashes images, and stores each new one
/// at its destination (the datastore, by default) exactly once.
///
/// It keeps no state between calls besides the ``SyncState`` file and what
/// it caches of the destination (users, seeds), so a pass may be run by
/// `sync` once, or by `watch` again and again.
package struct SyncEngine: Sendable {
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

    /// Where pictures go.
    package let destination: any Destination
    let state: SyncState
    let extensions: ImageExtensions
    /// Pictures in flight at once: read, recorded and uploaded (``parallelUploads``).
    let parallelUploads: Int
    /// When set, a set folder is taken only once a file of this name is in it.
    let readyMarker: String?
    /// Whether symbolic links to images and set folders are followed (off by
    /// default: a link could make the agent upload a file it was never given).
    let followsSymlinks: Bool
    /// Writes each folder's status file, when the agent is asked to.
    package let statusFiles: StatusFileWriter?
    /// Remembers which left-out entries and notes were said, across passes.
    let skipNotices = SkipNotices()
    /// What the engine knows of the destination's users and seeds.
    let directory: DestinationDirectory
    /// Reads each picture's file once, as the destination plans it.
    let reader = PictureReader()
    /// Sets of folders skipped as unchanged, to check at once.
    let unchangedSets = UnchangedSets()
    /// Which of the folders in flight takes a set name two of them resolve to.
    let setNames = SetNameClaims()
    /// The pictures in flight across every folder passed over at once.
    let pictureWindow: PictureWindow
    /// Whether the destination said what it is, and the state file's
    /// records were made its own (``recogniseDestination()``).
    let recognition = DestinationRecognition()
    /// Gathers the state records of files stored at about the same time
    /// into one transaction of the state file.
    let stateWrites: BatchQueue<Int, FileRecord, Bool>
    /// What the engine counts and measures (swift-metrics).
    package let metrics: AgentMetrics
    let logger: Logger
    package var hooks = Hooks()

    /// The default number of pictures in flight: enough to keep a datastore
    /// 60 ms away busy (rows go in batches, uploads overlap), while the
    /// memory small files hold is bounded on its own.
    package static let defaultPicturesInFlight = 32

    /// Set folders passed over at once: their set-level calls (finding or
    /// making sets, the datastore check's queries) go to the destination
    /// in batches, so a pass over thousands of small folders far from the
    /// datastore costs a round trip per batch of folders, not per folder.
    static let foldersInFlight = 64

    /// Makes an engine storing pictures at `destination`, remembering
    /// progress in `state`.
    ///
    /// - Parameters:
    ///   - parallelUploads: Pictures in flight at once, or where their number
    ///     starts when it adapts.
    ///   - adaptsPicturesInFlight: Whether the pictures in flight follow the
    ///     network (``PictureWindow``), between 16 and 256.
    ///   - readyMarker: When set, a set folder waits until a file of this
    ///     name appears in it (for copy tools that cannot be trusted).
    ///   - followsSymlinks: Whether links to images and set folders are taken.
    ///   - statusFiles: When set, each pass's outcome is written into the folder.
    ///   - metrics: What the engine counts and measures; nothing by default.
    package init(
        destination: any Destination,
        state: SyncState,
        extensions: ImageExtensions = .nachetDefault,
        parallelUploads: Int = SyncEngine.defaultPicturesInFlight,
        adaptsPicturesInFlight: Bool = true,
        readyMarker: String? = nil,
        followsSymlinks: Bool = false,
        statusFiles: StatusFileWriter? = nil,
        metrics: AgentMetrics = .disabled,
        logger: Logger
    ) {
        self.destination = destination
        self.metrics = metrics
        self.state = state
        self.extensions = extensions
        self.parallelUploads = max(1, parallelUploads)
        pictureWindow = PictureWindow(size: parallelUploads, adapts: adaptsPicturesInFlight)
        self.readyMarker = readyMarker
        self.followsSymlinks = followsSymlinks
        self.statusFiles = statusFiles
        self.logger = logger
        directory = DestinationDirectory(destination: destination)
        stateWrites = BatchQueue(maximumBatch: 256) { records in
            try await state.perform { state in try state.save(records) }
            return records.map { _ in true }
        }
    }

    /// Makes an engine writing rows to `catalogue` and bytes to `blobStore`,
    /// each call timed into `metrics`.
    package init(
        catalogue: any Catalogue,
        blobStore: any BlobStore,
        state: SyncState,
        extensions: ImageExtensions = .nachetDefault,
        parallelUploads: Int = SyncEngine.defaultPicturesInFlight,
        adaptsPicturesInFlight: Bool = true,
        readyMarker: String? = nil,
        followsSymlinks: Bool = false,
        statusFiles: StatusFileWriter? = nil,
        metrics: AgentMetrics = .disabled,
        logger: Logger
    ) {
        let destination = DatastoreDestination(
            catalogue: MeasuredCatalogue(catalogue: catalogue, metrics: metrics),
            blobStore: MeasuredBlobStore(store: blobStore, metrics: metrics))
        self.init(
            destination: destination, state: state, extensions: extensions, parallelUploads: parallelUploads,
            adaptsPicturesInFlight: adaptsPicturesInFlight, readyMarker: readyMarker,
            followsSymlinks: followsSymlinks, statusFiles: statusFiles, metrics: metrics, logger: logger)
    }

    /// One pass over every set folder of `dropDirectory`.
    ///
    /// Problems of one folder or file are reported in the result and never
    /// stop the others.
    /// - Parameters:
    ///   - verifying: Which folders' sets are checked in the datastore on
    ///     the way (``DatastoreCheck``): `sync` checks those not checked
    ///     within the interval.
    ///   - observer: Told how far the pass has got, as it goes (the `sync`
    ///     command's progress line).
    /// - Throws: ``SyncRunError`` when the drop directory cannot be listed or
    ///   the seed catalogue cannot be read; `CancellationError` when cancelled.
    package func syncDropDirectory(
        _ dropDirectory: String,
        readiness: StabilityTracker,
        verifying: DatastoreChecking = .never,
        observer: (any SyncObserver)? = nil
    ) async throws -> SyncReport {
        let listing = try await listDropDirectory(dropDirectory)
        try await recogniseDestination()
        observer?.passBegan(setFolders: listing.setFolders.count)
        // By position: paths equal as Swift strings ("café" written two
        // ways) are two folders.
        var passed = [FolderReport?](repeating: nil, count: listing.setFolders.count)
        try await syncFolders(
            listing.setFolders.map { (dropDirectory + "/" + $0, verifying) }, readiness: readiness, observer: observer
        ) { index, report in
            passed[index] = report
        }
        var reports = passed.compactMap { $0 }
        for folder in try await revalidateUnchangedSets() {
            guard let index = reports.firstIndex(where: { $0.path == folder }) else { continue }
            reports[index] = try await syncFolder(folder, readiness: readiness, verifying: verifying)
        }
        statusFiles?.flushAll()
        return SyncReport(folders: reports, skipped: listing.skipped)
    }

    /// Passes over `folders`, up to ``foldersInFlight`` at once, started in
    /// the order given, each checking its set in the datastore as its
    /// `DatastoreChecking` says; tells `finished` each report, with the
    /// folder's position in `folders`, as its pass ends.
    ///
    /// - Throws: ``SyncRunError`` when one pass fails for every file: the
    ///   passes in flight are cancelled (as a kill would stop them, which
    ///   loses nothing); `CancellationError` when cancelled.
    package func syncFolders(
        _ folders: [(path: String, verifying: DatastoreChecking)],
        readiness: StabilityTracker,
        observer: (any SyncObserver)? = nil,
        finished: (Int, FolderReport) throws -> Void
    ) async throws {
        let passes = folders.enumerated().lazy.map { ($0.offset, $0.element.path, $0.element.verifying, setNames.begin()) }
        try await BoundedConcurrency.forEach(passes, atMost: Self.foldersInFlight) { index, path, verifying, ticket in
            (index, try await syncFolder(path, ticket: ticket, readiness: readiness, verifying: verifying, observer: observer))
        } finished: { index, report in
            try finished(index, report)
        }
    }

    /// Registers a user with its `General` picture set and blob folder, at
    /// the destination (``Destination/registerUser(email:)``).
    package func registerUser(email: String) async throws -> (user: CatalogueUser, created: Bool) {
        try await destination.registerUser(email: email)
    }

    /// Tells the hooks that the durable write `step` is done, when the
    /// destination makes such a write (``Destination/writeSteps``).
    @Sendable func reached(_ step: WriteStep) throws {
        guard destination.writeSteps.contains(step) else { return }
        try hooks.afterWrite(step)
    }

    /// The set folders of `dropDirectory`; what it holds besides them is
    /// said once.
    /// - Throws: ``SyncRunError`` when it cannot be listed.
    package func listDropDirectory(_ dropDirectory: String) async throws(SyncRunError) -> DropFolderListing {
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
}

/// A failure that stops a whole pass (as opposed to one folder or file):
/// the drop folder, the state file, or a backend every file needs.
package struct SyncRunError: Error, CustomStringConvertible, Sendable {
    package var message: String
    /// Whether retrying later may succeed by itself (a server down, a disk
    /// full) rather than needing a person (a wrong password).
    package var isTransient: Bool
    /// Why, as `nachet_sync_failures_total` counts it.
    package var reason: FailureReason

    package init(_ message: String, isTransient: Bool = false, reason: FailureReason = .other) {
        self.message = message
        self.isTransient = isTransient
        self.reason = reason
    }

    package var description: String { message }

    /// The pass-stopping form of `error`, or `nil` when it concerns one file
    /// or folder only.
    static func escalating(_ error: any Error) -> SyncRunError? {
        switch error {
        case let error as SyncRunError:
            return error
        case let error as any PassStoppingError where error.affectsEveryFile:
            return SyncRunError(error.description, isTransient: error.isTransient, reason: FailureReason(classifying: error))
        case let error as SyncStateError:
            return SyncRunError(error.message, isTransient: true, reason: .stateFile)
        default:
            return nil
        }
    }
}
