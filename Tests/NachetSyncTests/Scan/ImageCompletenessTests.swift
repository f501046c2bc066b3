import Foundation
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
}
