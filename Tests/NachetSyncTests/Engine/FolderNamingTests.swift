import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// Folders and the sets they become: a renamed folder keeps its set, and two
/// folders are never merged into one set without a word.
@Suite("Set names: renames, collisions, Unicode")
struct FolderNamingTests {
    @Test(arguments: Backends.all)
    func aRenamedFolderKeepsItsSetAndReadsNothingAgain(backends: Backends) async throws {
        let datastore = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        for index in 0..<3 { try datastore.drop.writeImage("a\(index).png", in: "lot-1", seed: UInt64(index)) }
        _ = try await datastore.sync()
        let setID = try #require(try await datastore.state.perform { try $0.folder(datastore.drop.root + "/lot-1")?.setID })

        try FileManager.default.moveItem(atPath: datastore.drop.root + "/lot-1", toPath: datastore.drop.root + "/lot-1 (checked)")
        let report = try await datastore.sync()

        let renamed = try #require(report.folders.first)
        #expect(renamed.path.hasSuffix("/lot-1 (checked)"))
        #expect(renamed.setID == setID, "the same set")
        #expect(renamed.folderName == "lot-1", "the set keeps its name")
        #expect(report.filesRead == 0 && report.uploaded == 0 && renamed.unchanged == 3, "\(report.summary)")
        #expect(report.errors == 0)
        #expect(try await datastore.rowCount("picture_set") == 2)  // General + lot-1
        #expect(try await datastore.rowCount("picture") == 3)
        #expect(try await datastore.state.perform { try $0.folder(datastore.drop.root + "/lot-1") } == nil, "the old name's record moved")
    }

    @Test func twoFoldersResolvingToOneSetNameAreNotMerged() async throws {
        let datastore = try await TestDatastore.make()
        // "lot.1" and "lot_1" both become the set name "lot_1".
        try datastore.drop.makeSet("lot.1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot.1", seed: 1)
        try datastore.drop.makeSet("lot_1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("b.png", in: "lot_1", seed: 2)

        let report = try await datastore.sync()

        let first = try #require(report.folders.first { $0.path.hasSuffix("/lot.1") })
        let second = try #require(report.folders.first { $0.path.hasSuffix("/lot_1") })
        #expect(first.uploaded == 1)
        #expect(second.status == .invalid)
        let problem = try #require(second.problems.first)
        #expect(problem.contains("\"lot_1\"") && problem.contains(datastore.drop.root + "/lot.1"), "names both: \(problem)")
        #expect(problem.contains("append_to_set"), "says how to merge on purpose")
        #expect(try await datastore.numberOfImages()["lot_1"] == 1)

        // Said on purpose, the second folder adds its images to that set.
        try datastore.drop.writeMetadata(DropFolderBuilder.metadata(extra: ["append_to_set": true]), in: "lot_1")
        let merged = try await datastore.sync()
        #expect(merged.errors == 0, "\(merged.summary)")
        #expect(try await datastore.numberOfImages()["lot_1"] == 2)
    }

    @Test func theSameFolderNameGivenTwiceIsRefused() async throws {
        let datastore = try await TestDatastore.make()
        for name in ["bench-a", "bench-b"] {
            try datastore.drop.makeSet(name, metadata: DropFolderBuilder.metadata(extra: ["folder_name": "canola"]))
            try datastore.drop.writeImage("\(name).png", in: name, seed: name == "bench-a" ? 1 : 2)
        }

        let report = try await datastore.sync()

        #expect(report.folders.map(\.status) == [.active, .invalid])
        #expect(report.folders[1].problems.first?.contains("folder_name") == true)
        #expect(try await datastore.numberOfImages()["canola"] == 1)
    }

    @Test func namesEqualAfterUnicodeNormalisationAreOneName() async throws {
        let datastore = try await TestDatastore.make()
        let composed = "caf\u{E9}"  // é as one character (Windows, Linux)
        let decomposed = "cafe\u{301}"  // e + combining accent (a Mac)
        #expect(Array(composed.utf8) != Array(decomposed.utf8))
        try datastore.drop.makeSet(composed, metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: composed, seed: 1)
        try datastore.drop.makeSet(decomposed, metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("b.png", in: decomposed, seed: 2)

        let report = try await datastore.sync()

        #expect(report.folders.filter { $0.status == .active }.count == 1)
        #expect(report.folders.filter { $0.status == .invalid }.count == 1, "\(report.summary)")
        #expect(try await datastore.numberOfImages()[composed] == 1, "the set name is stored composed")
    }

    @Test func aFolderNamedGeneralIsNotPutIntoTheUsersDefaultSetUnlessAsked() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("General", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "General", seed: 1)

        let refused = try await datastore.sync()
        #expect(refused.folders.first?.status == .invalid)
        #expect(refused.folders.first?.problems.first?.contains("default set") == true)
        #expect(try await datastore.numberOfImages()["General"] == 0)

        try datastore.drop.writeMetadata(DropFolderBuilder.metadata(extra: ["append_to_set": true]), in: "General")
        let appended = try await datastore.sync()
        #expect(appended.errors == 0)
        #expect(try await datastore.numberOfImages()["General"] == 1)
        #expect(try await datastore.rowCount("picture_set") == 1, "still one set: the user's General")
    }

    @Test func aLostStateFileStillFindsEachFolderItsOwnSet() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        _ = try await datastore.sync()

        let fresh = try SyncState(directory: datastore.directory.appending("fresh-state"))
        let report = try await datastore.sync(datastore.engine(state: fresh))

        #expect(report.errors == 0, "a set found again is not a collision: \(report.summary)")
        #expect(report.alreadyStored == 1)
        #expect(try await datastore.rowCount("picture_set") == 2)
    }

    // MARK: - Names the blob store could not hold, look-alikes

    /// Set folder names legal on disk (up to 255 bytes) but over what a set
    /// name holds (245 bytes: the local store's properties file of the
    /// marker, `<name>.json.json`, must fit 255 bytes). Before, the set's
    /// row was made, then its folder failed ("File name too long") at every
    /// pass, and the row stayed.
    @Test(arguments: [
        String(repeating: "x", count: 251), String(repeating: "y", count: 255), String(repeating: "中", count: 85),
        String(repeating: "n", count: 246),
    ])
    func aSetFolderNameTooLongForASetIsRefusedBeforeAnythingIsWritten(name: String) async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet(name, metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: name, seed: 1)
        let blobsBefore = datastore.blobNames()

        let report = try await datastore.sync()

        let folder = try #require(report.folders.first)
        #expect(folder.status == .invalid, "\(report.summary)")
        let problem = try #require(folder.problems.first)
        #expect(problem.contains("is \(name.utf8.count) bytes long in UTF-8, over the 245 a set name may hold"), "\(problem)")
        #expect(problem.contains("rename the folder, or give metadata.json a \"folder_name\""), "\(problem)")
        #expect(try await datastore.rowCount("picture_set") == 1, "no set made: only the user's General")
        #expect(datastore.blobNames() == blobsBefore, "no blob written")
        #expect(try await datastore.sync().folders.first?.status == .invalid, "and the same at every pass, with nothing written")
        #expect(try await datastore.rowCount("picture_set") == 1)
    }

    /// The longest name a set may have is stored, marker and properties included.
    @Test(arguments: [Backends(catalogue: .sqlite, blobs: .local), Backends(catalogue: .sqlite, blobs: .azure)])
    func aSetNameOfTheMaximumLengthIsStored(backends: Backends) async throws {
        let datastore = try await TestDatastore.make(catalogue: backends.catalogue, blobs: backends.blobs)
        let name = String(repeating: "m", count: FolderName.maximumBytes)
        try datastore.drop.makeSet(name, metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: name, seed: 1)

        let report = try await datastore.sync()

        #expect(report.errors == 0 && report.uploaded == 1, "\(report.summary)")
        #expect(datastore.blobNames().contains("user-\(datastore.user.id.lowercased)/\(name)/\(name).json"))
    }

    /// A `folder_name` of 255 characters (510 bytes), or of one character
    /// of 10 KB (a letter and 5,000 combining marks): refused by the
    /// metadata check, where before only characters were counted.
    @Test(arguments: [(String(repeating: "é", count: 255), 510), ("e" + String(repeating: "\u{301}", count: 5000), 10_000)])
    func aFolderNameTooLongInBytesIsRefusedInTheMetadata(name: String, bytes: Int) async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata(extra: ["folder_name": name]))
        try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)

        let report = try await datastore.sync()

        let folder = try #require(report.folders.first)
        #expect(folder.status == .invalid)
        #expect(folder.problems.first?.contains("folder_name: ") == true && folder.problems.first?.contains("is \(bytes) bytes long") == true, "\(folder.problems)")
        #expect(try await datastore.rowCount("picture_set") == 1)
    }

    /// Names that look like others (an invisible character, a reversed
    /// text, a space at an end) are refused, from the folder's name or from
    /// `folder_name`, with the character and its position.
    @Test(arguments: [
        ("lot\u{200B}1", nil, "U+200B ZERO WIDTH SPACE (an invisible formatting character) at character 4"),
        ("lot-2 ", nil, "ends with a space"),
        ("lot-3", "lot\u{202E}3", "U+202E RIGHT-TO-LEFT OVERRIDE (an invisible formatting character) at character 4"),
        ("lot-4", " lot-4", "begins with a space"),
        ("lot-5", "lot\u{85}5", "U+0085 (a control character) at character 4"),
    ] as [(String, String?, String)])
    func aLookAlikeNameIsRefusedWithTheCharacterAndWhereItIs(folder: String, folderName: String?, said: String) async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet(folder, metadata: DropFolderBuilder.metadata(extra: folderName.map { ["folder_name": $0] } ?? [:]))
        try datastore.drop.writeImage("a.png", in: folder, seed: 1)

        let report = try await datastore.sync()

        let refused = try #require(report.folders.first)
        #expect(refused.status == .invalid)
        #expect(refused.problems.first?.contains(said) == true, "\(refused.problems)")
        #expect(try await datastore.rowCount("picture_set") == 1)
    }
}
