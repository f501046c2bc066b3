import Foundation
import Logging
import NachetSyncTestSupport
import Synchronization
import Testing

@testable import NachetSync

/// Files named as images whose bytes are none (a text file named `.png`,
/// zeros, random bytes) or an unfinished one: reported once per change,
/// never stored, never read again while unchanged, and the folder's other
/// pictures still go in.
@Suite("Files named as images that are none")
struct NotAnImageTests {
    /// The bad files of a set folder and what their refusal says.
    static let badFiles: [(name: String, bytes: Data, said: String)] = [
        ("notes.png", Data("These are notes, not a picture.\n".utf8), "not an image: its bytes are no JPEG, PNG, GIF, TIFF, BMP or WebP image: it begins with the text \"These are notes,…\""),
        ("random.jpg", Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 151 &+ 7) | 1 }), "not an image: its bytes are no JPEG, PNG, GIF, TIFF, BMP or WebP image: it begins with the bytes 07 9F 35 CD"),
        ("empty.png", Data(), "the image looks incomplete (the file is empty)"),
        ("zeros.tif", Data(count: 4096), "the image looks incomplete (no image data yet"),
        ("cut.png", DropFolderBuilder.imageBytes(seed: 77, size: 9000).prefix(6000), "the image looks incomplete (truncated PNG"),
    ]

    @Test(arguments: Backends.all.filter { $0.catalogue == .sqlite })
    func filesThatAreNoImageAreReportedOnceNotStoredNotReadAgainAndTheOthersGoIn(backends: Backends) async throws {
        let datastore = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("good-1.png", in: "lot-1", seed: 1)
        try datastore.drop.writeImage("good-2.png", in: "lot-1", seed: 2)
        for file in Self.badFiles {
            try file.bytes.write(to: URL(fileURLWithPath: datastore.drop.root + "/lot-1/" + file.name))
        }
        let log = CapturedLog()
        let opened = Mutex<[String]>([])
        var engine = datastore.engine(logger: log.logger(level: .debug))
        engine.hooks.beforeOpening = { path in opened.withLock { $0.append((path as NSString).lastPathComponent) } }

        let first = try await datastore.sync(engine)

        let folder = try #require(first.folders.first)
        #expect(folder.uploaded == 2, "the good pictures go in: \(first.summary)")
        #expect(folder.failures.count == Self.badFiles.count)
        for file in Self.badFiles {
            let failure = try #require(folder.failures.first { $0.path.hasSuffix("/" + file.name) }, "\(file.name)")
            #expect(failure.reason.hasPrefix(file.said), "\(file.name): \(failure.reason)")
        }
        #expect(try await datastore.rowCount("picture") == 2)
        #expect(datastore.pictureBlobNames().count == 2)
        let warnings = log.messages.filter { $0.hasPrefix("warning: not taking") }
        #expect(warnings.count == Self.badFiles.count, "each said once: \(warnings)")

        // Unchanged, they are neither read nor said again, and still reported.
        opened.withLock { $0.removeAll() }
        let second = try await datastore.sync(engine)
        #expect(opened.withLock { $0 }.isEmpty, "nothing opened: \(opened.withLock { $0 })")
        #expect(second.filesRead == 0)
        #expect(second.folders.first?.failures.count == Self.badFiles.count)
        #expect(log.messages.filter { $0.hasPrefix("warning: not taking") }.count == Self.badFiles.count)
        let status = try #require(try FolderStatus.all(state: datastore.state, extensions: .nachetDefault).first)
        #expect(status.failed == Self.badFiles.count, "status names them")

        // Replaced by an image, one is read and stored at the next pass.
        try DropFolderBuilder.imageBytes(seed: 3, size: 5000).write(to: URL(fileURLWithPath: datastore.drop.root + "/lot-1/notes.png"))
        let third = try await datastore.sync(engine)
        #expect(opened.withLock { $0 } == ["notes.png"])
        #expect(third.uploaded == 1 && third.folders.first?.failures.count == Self.badFiles.count - 1, "\(third.summary)")
        #expect(try await datastore.rowCount("picture") == 3)
    }
}
