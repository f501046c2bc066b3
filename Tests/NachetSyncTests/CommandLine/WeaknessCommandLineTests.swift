import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// Weaknesses found by trying the release binary as a careless or unlucky
/// user would: each refused or bounded, with the fix.
@Suite("nachet-sync command line: emptied catalogue, state inside the drop folder, bounded notes")
struct WeaknessCommandLineTests {
    private let cli = CommandLineTests()

    /// A drop folder with one set of `count` pictures, its user registered.
    private func storedDrop(_ directory: TemporaryDirectory, pictures count: Int) async throws -> (state: String, drop: String) {
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        for index in 0..<count { try drop.writeImage("a\(index).png", in: "lot-1", seed: UInt64(index)) }
        let added = try await cli.run(["user", "add", "--state-dir", state, TestDatastore.technician])
        #expect(added.status == 0, "\(added.errors)")
        let synced = try await cli.run(["sync", "--state-dir", state, drop.root])
        #expect(synced.status == 0, "\(synced.errors)")
        return (state, drop.root)
    }

    /// Before, an emptied `catalogue.sqlite` (a crash, a stray `>`) was made
    /// anew as an empty catalogue, and the state file's 41 pictures pointed
    /// at nothing. Now every way of losing it is refused, naming the state
    /// file and the fix, and nothing is written.
    @Test(arguments: ["emptied", "deleted", "made anew"])
    func aLostCatalogueIsRefusedWhileTheStateFileKnowsItsPictures(how: String) async throws {
        let directory = TemporaryDirectory()
        let (state, drop) = try await storedDrop(directory, pictures: 3)
        let catalogue = state + "/catalogue.sqlite"
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: catalogue + suffix) }
        switch how {
        case "emptied": #expect(FileManager.default.createFile(atPath: catalogue, contents: Data()))
        case "deleted": try FileManager.default.removeItem(atPath: catalogue)
        default:
            try FileManager.default.removeItem(atPath: catalogue)
            _ = try SQLiteCatalogue(path: catalogue)
        }
        let before = FileManager.default.contents(atPath: catalogue)

        let result = try await cli.run(["sync", "--state-dir", state, drop])

        #expect(result.status == 3, "\(result.output) \(result.errors)")
        #expect(result.errors.contains("the catalogue \(catalogue) "), "\(result.errors)")
        #expect(result.errors.contains("but the state file \(state)/state.sqlite says 3 pictures were stored in it"), "\(result.errors)")
        #expect(result.errors.contains("restore it from a backup"), "\(result.errors)")
        #expect(FileManager.default.contents(atPath: catalogue) == before, "the catalogue is left as it was")
    }

    @Test func aDamagedCatalogueIsRefusedWithWhatToDo() async throws {
        let directory = TemporaryDirectory()
        let (state, drop) = try await storedDrop(directory, pictures: 1)
        let catalogue = state + "/catalogue.sqlite"
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: catalogue + suffix) }
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: catalogue))

        let result = try await cli.run(["sync", "--state-dir", state, drop])

        #expect(result.status == 3)
        #expect(result.errors.contains("the catalogue \(catalogue) is damaged or is not an SQLite database"), "\(result.errors)")
        #expect(result.errors.contains("restore it from a backup"))
    }

    /// Before, the state directory, catalogue and blob store were created in
    /// the drop folder, then refused.
    @Test func aStateDirectoryInsideTheDropFolderIsRefusedBeforeAnythingIsCreated() async throws {
        let directory = TemporaryDirectory()
        let drop = directory.appending("drop")
        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        let state = drop + "/.nachet-state"

        for command in ["sync", "watch"] {
            let result = try await cli.run([command, "--state-dir", state, drop], timeout: .seconds(60))
            #expect(result.status == 3, "\(command): \(result.errors)")
            #expect(result.errors.contains("the state directory \(state) is inside the drop folder \(drop)"), "\(result.errors)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: drop).isEmpty, "\(command) left nothing behind")
        }
    }

    /// Before, an `images` map naming 60,000 files the folder does not have
    /// printed 120,000 lines at every `sync`.
    @Test func sixtyThousandImagesEntriesNamingNoFileSayElevenLines() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        let entries = (0..<60_000).map { "\"\($0).png\":{}" }.joined(separator: ",")
        let metadata = #"{"user_email": "tech@lab.example", "seed_name": "Brassica napus", "images": {"# + entries + "}}"
        #expect(metadata.utf8.count < 1 << 20, "within metadata.json's size limit")
        try drop.makeSet("lot-1", metadata: nil)
        try drop.writeMetadataText(metadata, in: "lot-1")
        try drop.writeImage("photo.png", in: "lot-1", seed: 1)
        _ = try await cli.run(["user", "add", "--state-dir", state, TestDatastore.technician])

        let result = try await cli.run(["sync", "--state-dir", state, drop.root])

        #expect(result.status == 0, "\(result.errors.prefix(2000))")
        let lines = (result.output + result.errors).split(separator: "\n")
        #expect(lines.count < 40, "\(lines.count) lines")
        let named = lines.filter { $0.contains("names no file in this folder") }
        #expect(named.count <= 2 * (ResolvedSet.overridesNamed + 1), "\(named.count)")
        #expect((result.output + result.errors).contains("59990 more entries name no file in this folder (60000 in all)"))
    }
}
