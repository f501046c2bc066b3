import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

@Suite("Truncated images are told from whole ones")
struct ImageCompletenessTests {
    static let examples = TestPython.repository.appendingPathComponent("examples/drop")

    /// The example images (real PNG, JPEG and TIFF files) whole, and cut.
    static let images = ["canola-2026-11-03/IMG_0001.png", "canola-2026-11-03/IMG_0002.jpg", "canola-2026-11-03/IMG_0003.tif"]

    @Test(arguments: images)
    func aWholeImagePassesAndACutOneDoesNot(image: String) throws {
        let directory = TemporaryDirectory()
        let data = try Data(contentsOf: Self.examples.appendingPathComponent(image))
        let whole = directory.appending("whole")
        let cut = directory.appending("cut")
        try data.write(to: URL(fileURLWithPath: whole))
        try data.prefix(data.count * 6 / 10).write(to: URL(fileURLWithPath: cut))

        #expect(ImageCompleteness.problem(path: whole, size: Int64(data.count)) == nil)
        let problem = ImageCompleteness.problem(path: cut, size: Int64(data.count * 6 / 10))
        #expect(problem?.contains("truncated") == true, "\(image): \(problem ?? "judged whole")")
    }

    @Test func aFileWhoseSizeIsReservedButNotWrittenIsNotWhole() {
        let reserved = [UInt8](repeating: 0, count: 100)
        #expect(ImageCompleteness.problem(bytes: reserved)?.hasPrefix("no image data yet: the file begins with zero bytes") == true)
        // Written, it is judged by its format again.
        let png = [UInt8](DropFolderBuilder.imageBytes(seed: 1, size: 100))
        #expect(ImageCompleteness.problem(bytes: png) == nil)
    }

    @Test func otherFormatsAreNotJudged() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("raw.webp")
        try Data("not an image at all".utf8).write(to: URL(fileURLWithPath: path))
        #expect(ImageCompleteness.problem(path: path, size: 19) == nil)
    }

    @Test func aTruncatedImageIsNotUploadedUntilItIsWhole() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let data = try Data(contentsOf: Self.examples.appendingPathComponent("canola-2026-11-03/IMG_0002.jpg"))
        let path = datastore.drop.root + "/lot-1/camera.jpg"
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))

        let first = try await datastore.sync()
        #expect(first.uploaded == 0)
        #expect(first.folders.first?.failures.first?.reason.contains("truncated JPEG") == true)
        let status = try FolderStatus.all(state: datastore.state, extensions: .nachetDefault)
        #expect(status.first?.failed == 1, "status names the file and why")

        try data.write(to: URL(fileURLWithPath: path))
        let second = try await datastore.sync()
        #expect(second.uploaded == 1)
        #expect(second.errors == 0)
    }

    @Test func imagesWithTrailersAreUploadedBesideAGoodFolder() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("good", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("g.png", in: "good", seed: 1)
        try datastore.drop.makeSet("trailers", metadata: DropFolderBuilder.metadata())
        let jpeg = try Data(contentsOf: Self.examples.appendingPathComponent("canola-2026-11-03/IMG_0002.jpg"))
        let png = try Data(contentsOf: Self.examples.appendingPathComponent("canola-2026-11-03/IMG_0001.png"))
        try (jpeg + Data("maker notes after the end marker".utf8)).write(to: URL(fileURLWithPath: datastore.drop.root + "/trailers/a.jpg"))
        try (png + Data("bytes after IEND".utf8)).write(to: URL(fileURLWithPath: datastore.drop.root + "/trailers/b.png"))

        let report = try await datastore.sync()

        #expect(report.errors == 0, "\(report.folders.flatMap(\.failures))")
        #expect(report.uploaded == 3)
        #expect(try await datastore.rowCount("picture") == 3)
    }

    @Test func aDescriptorIsReadWithoutMovingItsOffset() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("cut.jpg")
        let jpeg = try Data(contentsOf: Self.examples.appendingPathComponent("canola-2026-11-03/IMG_0002.jpg"))
        try jpeg.write(to: URL(fileURLWithPath: path))
        let descriptor = open(path, O_RDONLY)
        defer { close(descriptor) }
        #expect(lseek(descriptor, 100, SEEK_SET) == 100)

        #expect(ImageCompleteness.problem(descriptor: descriptor, size: Int64(jpeg.count)) == nil)
        #expect(ImageCompleteness.problem(descriptor: descriptor, size: Int64(jpeg.count / 2)) == "truncated JPEG (no end-of-image marker)")
        #expect(lseek(descriptor, 0, SEEK_CUR) == 100)
    }

    @Test func neitherALinkNorAFIFOIsFollowedOrWaitedOn() throws {
        let directory = TemporaryDirectory()
        let target = directory.appending("cut.png")
        try Data(DropFolderBuilder.imageBytes(seed: 1, size: 4096).prefix(2000)).write(to: URL(fileURLWithPath: target))
        #expect(ImageCompleteness.problem(path: target, size: 2000) != nil)
        let link = directory.appending("link.png")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        #expect(ImageCompleteness.problem(path: link, size: 2000) == nil, "not judged: a link is not opened")
        let fifo = directory.appending("fifo.png")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(ImageCompleteness.problem(path: fifo, size: 4096) == nil, "not judged, and not waited on")
    }

    @Test func headersClaimingFourGiBAreTruncatedWithoutReadingThem() {
        let bmp: [UInt8] = Array("BM".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + [UInt8](repeating: 0, count: 52)
        #expect(ImageCompleteness.problem(bytes: bmp) == "truncated BMP (58 of 4294967295 bytes)")
        let webp: [UInt8] = Array("RIFF".utf8) + [0xFF, 0xFF, 0xFF, 0xFF] + Array("WEBPVP8L".utf8) + [UInt8](repeating: 0, count: 20)
        #expect(ImageCompleteness.problem(bytes: webp) == "truncated WebP (36 of 4294967303 bytes)")
    }
}
