import Foundation
import Glibc
import NachetSyncTestSupport
import Synchronization
import Testing

@testable import NachetSync

/// Drop folders written by someone else: links, FIFOs, odd names, files that
/// change under the agent. Each case sits beside a good folder, which must
/// be stored whatever its neighbour does.
@Suite("Hostile folders: nothing read that was not given, nothing skipped without a word")
struct HostileFolderTests {
    /// A set folder with two whole images, which every test expects stored.
    private func makeGoodFolder(_ datastore: TestDatastore) throws {
        try datastore.drop.makeSet("good", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("g1.png", in: "good", seed: 901)
        try datastore.drop.writeImage("g2.png", in: "good", seed: 902)
    }

    private func expectGoodFolderStored(_ report: SyncReport, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let good = try #require(report.folders.first { $0.path.hasSuffix("/good") }, sourceLocation: sourceLocation)
        #expect(good.uploaded + good.alreadyStored + good.unchanged == 2, "\(report.summary)", sourceLocation: sourceLocation)
        #expect(good.failures.isEmpty, sourceLocation: sourceLocation)
    }

    /// A file outside the drop folder, as a secret the technician may not read.
    private func writeSecret(_ datastore: TestDatastore) throws -> (path: String, sha256: String) {
        let path = datastore.directory.appending("secret.png")
        let bytes = DropFolderBuilder.imageBytes(seed: 31_337, size: 5000)
        try bytes.write(to: URL(fileURLWithPath: path))
        return (path, SHA256Digest.hash(bytes).hex)
    }

    private func storedHashes(_ datastore: TestDatastore) async throws -> Set<String> {
        Set(try await datastore.pictureRows().compactMap { $0.json["sha256"] as? String })
    }

    /// Runs `body`, failing (instead of hanging the suite) when it does not end within `limit`.
    private func finishing<T: Sendable>(within limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        let result = Mutex<Result<T, any Error>?>(nil)
        let task = Task {
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
            result.withLock { $0 = outcome }
        }
        _ = task
        let ended = try await eventually(within: limit) { result.withLock { $0 != nil } }
        #expect(ended, "it ended instead of blocking")
        return try result.withLock { $0 }?.get()
    }

    // MARK: - Races between the listing and the open

    @Test(arguments: Backends.all)
    func anImageSwappedForALinkAfterTheListingIsNotRead(backends: Backends) async throws {
        let datastore = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let swapped = try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        let secret = try writeSecret(datastore)
        var engine = datastore.engine()
        engine.hooks.beforeOpening = { path in
            guard path == swapped else { return }
            unlink(path)
            symlink(secret.path, path)
        }

        let report = try await datastore.sync(engine)

        try expectGoodFolderStored(report)
        #expect(!(try await storedHashes(datastore)).contains(secret.sha256), "the link's target was never stored")
        let lot = try #require(report.folders.first { $0.path.hasSuffix("/lot-1") })
        #expect(lot.failures.map(\.reason).contains { $0.contains("became a symbolic link") }, "\(report.summary)")
        // The next pass lists the link itself and says why it is left alone.
        let next = try await datastore.sync()
        let listed = try #require(next.folders.first { $0.path.hasSuffix("/lot-1") })
        #expect(listed.skipped.map(\.reason) == [.symbolicLink])
        #expect(!(try await storedHashes(datastore)).contains(secret.sha256))
    }

    @Test func anImageSwappedForAFIFOAfterTheListingNeitherHangsNorIsStored() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let swapped = try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        var engine = datastore.engine()
        engine.hooks.beforeOpening = { path in
            guard path == swapped else { return }
            unlink(path)
            mkfifo(path, 0o644)
        }

        let swappingEngine = engine
        let report = try #require(try await finishing(within: .seconds(240)) { try await datastore.sync(swappingEngine) })

        try expectGoodFolderStored(report)
        let lot = try #require(report.folders.first { $0.path.hasSuffix("/lot-1") })
        #expect(lot.failures.map(\.reason).contains { $0.contains("not a regular file") }, "\(report.summary)")
        #expect(try await datastore.rowCount("picture") == 2)
    }

    @Test func anImageReplacedByAnotherFileAfterTheListingIsTakenAtTheNextPass() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let swapped = try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        let once = Mutex(false)
        var engine = datastore.engine()
        engine.hooks.beforeOpening = { path in
            guard path == swapped, !once.withLock({ $0 }) else { return }
            once.withLock { $0 = true }
            // Another file under the same name (a copy tool's rename).
            let other = path + ".new"
            try? DropFolderBuilder.imageBytes(seed: 2, size: 4096).write(to: URL(fileURLWithPath: other))
            rename(other, path)
        }

        let report = try await datastore.sync(engine)
        let lot = try #require(report.folders.first { $0.path.hasSuffix("/lot-1") })
        #expect(lot.failures.map(\.reason).contains { $0.contains("was replaced by another file") }, "\(report.summary)")

        let next = try await datastore.sync()
        #expect(next.uploaded == 1, "the new file is taken at the next pass")
        #expect(try await storedHashes(datastore).contains(SHA256Digest.hash(DropFolderBuilder.imageBytes(seed: 2, size: 4096)).hex))
    }

    /// A file still being written when it is stored: the bytes read are no
    /// version of it, so nothing is stored, not even a row.
    @Test(arguments: Backends.all)
    func aFileRewrittenWhileItIsStoredLeavesNoRowAndIsTakenOnceStable(backends: Backends) async throws {
        let datastore = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        // Large enough to go in several blocks to the Azure emulator.
        let size = 600_000
        let path = try datastore.drop.writeImage("large.png", in: "lot-1", seed: 1, size: size)
        let rewritten = DropFolderBuilder.imageBytes(seed: 2, size: size)
        var engine = datastore.engine()
        engine.hooks.afterOpening = { opened in
            guard opened == path, let handle = FileHandle(forWritingAtPath: opened) else { return }
            try? handle.write(contentsOf: rewritten)
            try? handle.close()
        }

        let report = try await datastore.sync(engine)

        try expectGoodFolderStored(report)
        let lot = try #require(report.folders.first { $0.path.hasSuffix("/lot-1") })
        #expect(lot.failures.map(\.reason).contains { $0.contains("changed while it was being") }, "\(report.summary)")
        #expect(try await datastore.rowCount("picture") == 2, "no row for the file that changed")
        #expect(try await datastore.numberOfImages()["lot-1"] == 0)
        #expect(datastore.pictureBlobNames().count == 2)

        let next = try await datastore.sync()
        #expect(next.uploaded == 1)
        #expect(next.errors == 0, "\(next.summary)")
        #expect(try await storedHashes(datastore).contains(SHA256Digest.hash(rewritten).hex))
        #expect(try await datastore.numberOfImages()["lot-1"] == 1)
        let checked = try await datastore.sync(verifying: true)
        #expect(checked.errors == 0 && checked.folders.allSatisfy(\.datastoreProblems.isEmpty), "no row without its blob: \(checked.summary)")
    }

    // MARK: - Links, FIFOs and odd names in the listing

    @Test func aLinkedImageIsReportedAndNotFollowedUnlessAsked() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let secret = try writeSecret(datastore)
        symlink(secret.path, datastore.drop.root + "/lot-1/linked.png")

        let report = try await datastore.sync()

        try expectGoodFolderStored(report)
        let lot = try #require(report.folders.first { $0.path.hasSuffix("/lot-1") })
        let skipped = try #require(lot.skipped.first)
        #expect(skipped.reason == .symbolicLink && skipped.isProblem)
        #expect(skipped.explanation.contains("NACHET_SYNC_FOLLOW_SYMLINKS"), "says how to change it")
        #expect(report.errors == 1, "a linked image is an error until someone acts")
        #expect(report.summary.contains("linked.png: a symbolic link (to \(secret.path))"), "\(report.summary)")
        #expect(!(try await storedHashes(datastore)).contains(secret.sha256))

        let following = try await datastore.sync(datastore.engine(followsSymlinks: true))
        #expect(following.uploaded == 1, "with links followed, the linked image is taken")
        #expect(try await storedHashes(datastore).contains(secret.sha256))
    }

    @Test func aLinkedSetFolderIsReportedAndNotFollowedUnlessAsked() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        let outside = datastore.directory.appending("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: DropFolderBuilder.metadata()).write(to: URL(fileURLWithPath: outside + "/metadata.json"))
        try DropFolderBuilder.imageBytes(seed: 5, size: 4096).write(to: URL(fileURLWithPath: outside + "/x.png"))
        symlink(outside, datastore.drop.root + "/linked-set")

        let report = try await datastore.sync()

        try expectGoodFolderStored(report)
        #expect(report.folders.count == 1)
        #expect(report.skipped.map(\.name) == ["linked-set"])
        #expect(report.skipped.first?.isProblem == true)
        #expect(report.summary.contains("linked-set: a symbolic link"), "\(report.summary)")
        #expect(try await datastore.rowCount("picture") == 2)

        let following = try await datastore.sync(datastore.engine(followsSymlinks: true))
        #expect(following.uploaded == 1)
    }

    @Test func aFIFOListedInTheFolderIsReportedAndNeverOpened() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        mkfifo(datastore.drop.root + "/lot-1/camera.jpg", 0o644)
        mkfifo(datastore.drop.root + "/lot-1/metadata-fifo", 0o644)

        let report = try #require(try await finishing(within: .seconds(240)) { try await datastore.sync() })

        try expectGoodFolderStored(report)
        let lot = try #require(report.folders.first { $0.path.hasSuffix("/lot-1") })
        #expect(lot.skipped.map(\.name) == ["camera.jpg", "metadata-fifo"])
        #expect(lot.skipped.map(\.isProblem) == [true, false], "a FIFO named like an image is an error, another a note")
        #expect(lot.skipped.first?.explanation.contains("a FIFO") == true)
    }

    @Test func aMetadataFileThatIsAFIFOOrALinkIsRefusedWithoutBlocking() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("fifo", metadata: nil)
        mkfifo(datastore.drop.root + "/fifo/metadata.json", 0o644)
        try datastore.drop.writeImage("a.png", in: "fifo", seed: 1)
        try datastore.drop.makeSet("link", metadata: nil)
        let real = datastore.directory.appending("real-metadata.json")
        try JSONSerialization.data(withJSONObject: DropFolderBuilder.metadata()).write(to: URL(fileURLWithPath: real))
        symlink(real, datastore.drop.root + "/link/metadata.json")
        try datastore.drop.writeImage("b.png", in: "link", seed: 2)

        let report = try #require(try await finishing(within: .seconds(240)) { try await datastore.sync() })

        try expectGoodFolderStored(report)
        let fifo = try #require(report.folders.first { $0.path.hasSuffix("/fifo") })
        #expect(fifo.status == .invalid)
        #expect(fifo.problems.contains { $0.contains("metadata.json is not a regular file (a FIFO)") }, "\(report.summary)")
        let link = try #require(report.folders.first { $0.path.hasSuffix("/link") })
        #expect(link.problems.contains { $0.contains("metadata.json is a symbolic link") }, "\(report.summary)")
        #expect(try await datastore.rowCount("picture") == 2)
    }

    @Test func anOversizedMetadataFileIsRefusedWithoutReadingItAll() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("huge", metadata: nil)
        let path = datastore.drop.root + "/huge/metadata.json"
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        #expect(truncate(path, 8 << 30) == 0, "a sparse 8 GiB metadata.json")
        try datastore.drop.writeImage("a.png", in: "huge", seed: 1)

        let report = try await datastore.sync()

        try expectGoodFolderStored(report)
        let huge = try #require(report.folders.first { $0.path.hasSuffix("/huge") })
        #expect(huge.problems.contains { $0.contains("must be under 1 MiB") }, "\(report.summary)")
    }

    @Test func namesThatAreNotUTF8AreReportedNotDropped() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        // "café.png" and "lot-é" written in Latin-1, as an old Windows share would.
        let folderName = Array("lot-".utf8) + [0xE9]
        let fileName = Array("caf".utf8) + [0xE9] + Array(".png".utf8)
        let image = DropFolderBuilder.imageBytes(seed: 7, size: 4096)
        try withRawPath(datastore.drop.root + "/lot-1/", fileName) { path in
            let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o644)
            #expect(descriptor >= 0)
            _ = image.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            close(descriptor)
        }
        try withRawPath(datastore.drop.root + "/", folderName) { path in #expect(mkdir(path, 0o755) == 0) }

        let report = try await datastore.sync()

        try expectGoodFolderStored(report)
        let lot = try #require(report.folders.first { $0.path.hasSuffix("/lot-1") })
        #expect(lot.skipped.map(\.name) == ["caf\\xE9.png"])
        #expect(lot.skipped.first?.reason == .nameNotUTF8)
        #expect(report.skipped.map(\.name) == ["lot-\\xE9"])
        #expect(report.errors == 2, "\(report.summary)")
        #expect(report.summary.contains("convmv"), "says how to rename it")
    }

    @Test func aPathLongerThanTheSystemAllowsIsReported() async throws {
        let datastore = try await TestDatastore.make()
        // A drop folder nested deep enough that a set folder's path is just
        // under PATH_MAX (4,096 bytes) and an image's path in it is over.
        var drop = datastore.directory.appending("deep")
        while drop.utf8.count < Int(PATH_MAX) - 400 { drop += "/" + String(repeating: "d", count: 200) }
        drop += "/" + String(repeating: "e", count: Int(PATH_MAX) - 200 - drop.utf8.count)
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let builder = DropFolderBuilder(root: drop)
        try builder.makeSet("good", metadata: DropFolderBuilder.metadata())
        try builder.writeImage("g1.png", in: "good", seed: 901)
        let setName = String(repeating: "s", count: 150)
        try builder.makeSet(setName, metadata: DropFolderBuilder.metadata())
        try builder.writeImage("ok.png", in: setName, seed: 1)
        // The image whose path is too long can only be made relative to its folder.
        let fileName = String(repeating: "f", count: 100) + ".png"
        let directory = open(drop + "/" + setName, O_RDONLY | O_DIRECTORY)
        defer { close(directory) }
        let descriptor = openat(directory, fileName, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        try #require(descriptor >= 0)
        _ = DropFolderBuilder.imageBytes(seed: 2, size: 4096).withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
        try #require((drop + "/" + setName + "/" + fileName).utf8.count > Int(PATH_MAX))

        let report = try await datastore.engine().syncDropDirectory(drop, readiness: StabilityTracker(window: .zero))

        let good = try #require(report.folders.first { $0.path.hasSuffix("/good") })
        #expect(good.uploaded == 1)
        let long = try #require(report.folders.first { $0.path.hasSuffix("/" + setName) })
        #expect(long.uploaded == 1, "the image whose path fits is stored")
        #expect(long.skipped.map(\.reason) == [.pathTooLong])
        #expect(long.skipped.first?.isProblem == true)
        #expect(report.errors == 1, "\(report.summary)")
    }

    @Test func aFolderWithATemporaryNameAndFilesOutsideAnySetAreSaid() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("lot-2.tmp", metadata: DropFolderBuilder.metadata())
        try DropFolderBuilder.imageBytes(seed: 3, size: 4096).write(to: URL(fileURLWithPath: datastore.drop.root + "/stray.png"))
        try Data("notes".utf8).write(to: URL(fileURLWithPath: datastore.drop.root + "/README.txt"))

        let report = try await datastore.sync()

        try expectGoodFolderStored(report)
        #expect(report.skipped.map(\.name) == ["README.txt", "lot-2.tmp", "stray.png"])
        #expect(report.skipped.map(\.reason) == [.fileOutsideSetFolder, .temporaryName, .fileOutsideSetFolder])
        #expect(report.skipped.map(\.isProblem) == [false, false, true], "only the stray image needs someone")
        #expect(report.errors == 1)
        #expect(report.summary.contains("drop folder:"))
    }

    @Test func filesLeftOutOfASetFolderAreListedInTheSummaryAndStatus() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        try Data("x".utf8).write(to: URL(fileURLWithPath: datastore.drop.root + "/lot-1/notes.txt"))
        try Data("x".utf8).write(to: URL(fileURLWithPath: datastore.drop.root + "/lot-1/.DS_Store"))
        try FileManager.default.createDirectory(atPath: datastore.drop.root + "/lot-1/raw", withIntermediateDirectories: true)

        let report = try await datastore.sync()

        try expectGoodFolderStored(report)
        let lot = try #require(report.folders.first { $0.path.hasSuffix("/lot-1") })
        #expect(lot.uploaded == 1)
        #expect(lot.skipped.map(\.name) == [".DS_Store", "notes.txt", "raw"])
        #expect(lot.skipped.map(\.reason) == [.hiddenName, .notAnImage, .folderInSetFolder])
        #expect(report.errors == 0, "none of them is an image someone meant to upload")
        #expect(report.summary.contains("notes.txt: not an image type taken (.txt)"), "\(report.summary)")
        let status = try #require(try FolderStatus.all(state: datastore.state, extensions: .nachetDefault).first { $0.path.hasSuffix("/lot-1") })
        #expect(status.detailLines.contains { $0.hasPrefix("skipped: raw: a folder inside a set folder") })
    }

    @Test func anImagesEntryNamingNoFileIsANote() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet(
            "lot-1", metadata: DropFolderBuilder.metadata(extra: ["images": ["IMG_0001.PNG": ["nb_seeds": 2], "IMG_9999.png": ["nb_seeds": 3]]]))
        try datastore.drop.writeImage("IMG_0001.png", in: "lot-1", seed: 1)

        let report = try await datastore.sync()

        try expectGoodFolderStored(report)
        let lot = try #require(report.folders.first { $0.path.hasSuffix("/lot-1") })
        #expect(lot.notes.count == 1)
        #expect(lot.notes.first?.contains("\"IMG_9999.png\" names no file in this folder") == true)
        #expect(report.errors == 0)
        #expect(report.summary.contains("note: metadata.json: images: \"IMG_9999.png\""))
    }

    // MARK: - The status file

    @Test func theStatusFileIsNeverWrittenThroughALinkedSetFolderNorWiderThanTheMetadata() async throws {
        let datastore = try await TestDatastore.make()
        try makeGoodFolder(datastore)
        try datastore.drop.makeSet("private", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("p.png", in: "private", seed: 4)
        chmod(datastore.drop.root + "/private/metadata.json", 0o600)
        let outside = datastore.directory.appending("outside")
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: DropFolderBuilder.metadata()).write(to: URL(fileURLWithPath: outside + "/metadata.json"))
        symlink(outside, datastore.drop.root + "/linked")
        let writer = StatusFileWriter(minimumInterval: .zero, logger: TestDatastore.quietLogger)

        _ = try await datastore.sync(datastore.engine(statusFiles: writer))

        #expect(!FileManager.default.fileExists(atPath: outside + "/" + StatusFileWriter.fileName), "nothing written through the link")
        var status = stat()
        #expect(stat(datastore.drop.root + "/private/" + StatusFileWriter.fileName, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600, "as private as the metadata.json it repeats")
        #expect(stat(datastore.drop.root + "/good/" + StatusFileWriter.fileName, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o644)
    }

    /// Runs `body` with a path made of `prefix` and raw bytes that need not be UTF-8.
    private func withRawPath(_ prefix: String, _ name: [UInt8], _ body: (UnsafePointer<CChar>) throws -> Void) throws {
        let bytes = Array(prefix.utf8) + name + [0]
        try bytes.withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }
}
