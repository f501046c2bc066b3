import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// What a technician sees and controls in a set folder: the status file, the
/// ready marker, temporary names, and metadata.json edited while the set is live.
@Suite("set folders: status file, ready marker, edits")
struct FolderFeedbackTests {
    private func statusText(_ datastore: TestDatastore, _ set: String) -> String? {
        try? String(contentsOfFile: datastore.drop.root + "/" + set + "/" + StatusFileWriter.fileName, encoding: .utf8)
    }

    @Test func theStatusFileSaysDonePendingAndFailedWithTheFix() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("good", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "good", seed: 1)
        try datastore.drop.writeImage("b.png", in: "good", seed: 2)
        try Data([0x89, 0x50, 0x4E, 0x47]).write(to: URL(fileURLWithPath: datastore.drop.root + "/good/cut.png"))
        try datastore.drop.makeSet("typo", metadata: DropFolderBuilder.metadata(seed: "Brasica napus"))
        try datastore.drop.writeImage("c.png", in: "typo", seed: 3)
        _ = try datastore.drop.makeSet("early", metadata: nil)
        try datastore.drop.writeImage("d.png", in: "early", seed: 4)
        let engine = datastore.engine(statusFiles: StatusFileWriter(logger: TestDatastore.quietLogger))

        let report = try await datastore.sync(engine)

        #expect(report.uploaded == 2)
        let good = try #require(statusText(datastore, "good"))
        #expect(good.contains("images: 2 done, 0 pending, 1 failed"), "\(good)")
        #expect(good.contains("failed: cut.png: "), "\(good)")
        let typo = try #require(statusText(datastore, "typo"))
        #expect(typo.contains("status: invalid — metadata.json has problems"), "\(typo)")
        #expect(typo.contains("Brassica napus"), "the fix names the seed meant: \(typo)")
        let early = try #require(statusText(datastore, "early"))
        #expect(early.contains("status: waiting — nothing is uploaded until metadata.json is in the folder"), "\(early)")
        #expect(early.contains("images: 0 done, 1 pending, 0 failed"), "\(early)")

        let second = try await datastore.sync(engine)
        #expect(second.uploaded == 0 && second.filesRead == 0, "the status file is not an input")
        let listing = try FileManager.default.contentsOfDirectory(atPath: datastore.drop.root + "/good")
        #expect(!listing.contains { $0.hasPrefix(".") }, "no temporary file left behind: \(listing)")
    }

    @Test func theStatusCommandAndTheStatusFileSayTheSame() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot", seed: 1)
        _ = try await datastore.sync(datastore.engine(statusFiles: StatusFileWriter(logger: TestDatastore.quietLogger)))

        let fromState = try #require(try FolderStatus.all(state: datastore.state, extensions: .nachetDefault).first)
        let file = try #require(statusText(datastore, "lot"))

        #expect(fromState.headline == "done")
        #expect(file.hasSuffix(fromState.detailLines.joined(separator: "\n") + "\n"), "\(file)")
    }

    @Test func anUnchangedStatusIsNotWrittenAgainAndChangesWaitForTheInterval() async throws {
        let directory = TemporaryDirectory()
        let folder = directory.appending("lot")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let writer = StatusFileWriter(minimumInterval: .milliseconds(300), logger: TestDatastore.quietLogger)
        var report = FolderReport(path: folder, status: .active)
        report.uploaded = 1
        let path = folder + "/" + StatusFileWriter.fileName

        writer.record(FolderStatus(report: report))
        let first = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        writer.record(FolderStatus(report: report))
        report.uploaded = 2
        writer.record(FolderStatus(report: report))
        let held = try String(contentsOfFile: path, encoding: .utf8)
        let unchanged = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
        #expect(first == unchanged, "the same status is not written twice, and a change within the interval waits")
        #expect(held.contains("images: 1 done"))
        #expect(writer.flushDue() != nil, "a change is held")

        try await Task.sleep(for: .milliseconds(400))
        #expect(writer.flushDue() == nil)
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("images: 2 done"))
    }

    @Test func foldersGoneFromTheDropFolderAreForgotten() throws {
        let directory = TemporaryDirectory()
        let writer = StatusFileWriter(logger: TestDatastore.quietLogger)
        for name in ["lot-1", "lot-2", "lot-3"] {
            let folder = directory.appending(name)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            writer.record(FolderStatus(report: FolderReport(path: folder, status: .active)))
        }
        #expect(writer.trackedFolders.count == 3)

        writer.forgetFolders(except: [directory.appending("lot-2")])

        #expect(writer.trackedFolders == [directory.appending("lot-2")])
    }

    @Test func aReadyMarkerHoldsTheFolderUntilItAppears() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot", seed: 1)
        let engine = datastore.engine(readyMarker: "READY")

        let before = try await datastore.sync(engine)
        #expect(before.uploaded == 0)
        #expect(before.folders.first?.waitingFor == "READY")
        #expect(try await datastore.rowCount("picture_set") == 1, "only the user's General set: nothing made before READY")

        #expect(FileManager.default.createFile(atPath: datastore.drop.root + "/lot/READY", contents: nil))
        let after = try await datastore.sync(engine)
        #expect(after.uploaded == 1)
        #expect(after.errors == 0, "the marker itself is not an image")
    }

    @Test func temporaryAndHiddenNamesAreNeverTaken() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot", metadata: DropFolderBuilder.metadata())
        let ignored = [".a.png.Xy12Z9", "~$b.png", "c.png.part", "d.jpg.crdownload", "e.tif.tmp", "f.PNG.TMP", ".hidden.png"]
        for (index, name) in ignored.enumerated() { try datastore.drop.writeImage(name, in: "lot", seed: UInt64(index)) }
        try datastore.drop.writeImage("real.png", in: "lot", seed: 99)

        let report = try await datastore.sync()

        #expect(report.uploaded == 1)
        #expect(report.waiting == 0 && report.errors == 0)
    }

    @Test func metadataEditedWhileLiveAppliesToImagesNotYetUploaded() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot", metadata: DropFolderBuilder.metadata(extra: ["zoom_level": 1.5]))
        try datastore.drop.writeImage("first.png", in: "lot", seed: 1)
        _ = try await datastore.sync()

        try datastore.drop.writeMetadata(DropFolderBuilder.metadata(seed: "Bromus secalinus", extra: ["zoom_level": 3.0]), in: "lot")
        try datastore.drop.writeImage("second.png", in: "lot", seed: 2)
        let report = try await datastore.sync()

        #expect(report.uploaded == 1 && report.errors == 0)
        let rows = try await datastore.pictureRows()
        let zooms = Dictionary(uniqueKeysWithValues: rows.map { ($0.json["file_name"] as? String ?? "", $0.json["zoom"] as? Double) })
        #expect(zooms["first.png"] == 1.5, "what was stored keeps its values")
        #expect(zooms["second.png"] == 3.0, "the new values apply to what comes next")
        #expect(try await datastore.rowCount("picture_set") == 2, "still one set for the folder (and the General set)")
    }
}
