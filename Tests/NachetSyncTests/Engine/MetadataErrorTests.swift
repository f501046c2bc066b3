import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

@Suite("Metadata mistakes are reported and never stop other folders")
struct MetadataErrorTests {
    /// Syncs a drop folder holding one good set and one set with `metadata`,
    /// and returns the report of the bad one.
    private func syncBeside(metadata: String) async throws -> (bad: FolderReport, datastore: TestDatastore) {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("good", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("g.png", in: "good", seed: 100)
        try datastore.drop.makeSet("bad", metadata: nil)
        try datastore.drop.writeMetadataText(metadata, in: "bad")
        try datastore.drop.writeImage("b.png", in: "bad", seed: 200)

        let report = try await datastore.sync()

        let good = try #require(report.folders.first { $0.path.hasSuffix("/good") })
        #expect(good.uploaded == 1, "the good folder uploads whatever the other holds")
        let bad = try #require(report.folders.first { $0.path.hasSuffix("/bad") })
        #expect(bad.uploaded == 0)
        #expect(bad.status == .invalid)
        #expect(try await datastore.rowCount("picture") == 1)
        return (bad, datastore)
    }

    static let mistakes: [(name: String, metadata: String, expected: [String])] = [
        (
            "not JSON", "{\"user_email\": \"tech@lab.example\"\n \"seed_name\": \"Brassica napus\"}",
            ["not valid JSON", "line 2", "commas between fields"]
        ),
        ("empty file", "", ["empty"]),
        ("a list", "[1, 2]", ["not a JSON object"]),
        ("no user", #"{"seed_name": "Brassica napus"}"#, ["user_email", "missing"]),
        ("no seed", #"{"user_email": "tech@lab.example"}"#, ["seed_name", "missing"]),
        (
            "unknown user", #"{"user_email": "nobody@lab.example", "seed_name": "Brassica napus"}"#,
            ["nobody@lab.example", "nachet-sync user add nobody@lab.example"]
        ),
        (
            "unknown user id", #"{"user_id": "3f1c2b8e-0000-4000-8000-000000000000", "seed_name": "Brassica napus"}"#,
            ["user_id", "no Nachet user"]
        ),
        (
            "unknown seed", #"{"user_email": "tech@lab.example", "seed_name": "Brassica napsu"}"#,
            ["unknown seed \"Brassica napsu\"", "did you mean \"Brassica napus\""]
        ),
        (
            "unknown seed id", #"{"user_email": "tech@lab.example", "seed_id": "3f1c2b8e-0000-4000-8000-000000000000"}"#,
            ["seed_id", "nachet-sync seeds"]
        ),
        (
            "unknown override seed",
            #"{"user_email": "tech@lab.example", "seed_name": "Brassica napus", "images": {"b.png": {"seed_name": "Bromus secalnus"}}}"#,
            ["images.b.png.seed_name", "Bromus secalinus"]
        ),
        (
            "typo in a field", #"{"user_email": "tech@lab.example", "seed_name": "Brassica napus", "zoom": 2}"#,
            ["zoom", "did you mean \"zoom_level\""]
        ),
        (
            "zoom as text", #"{"user_email": "tech@lab.example", "seed_name": "Brassica napus", "zoom_level": "1.5"}"#,
            ["zoom_level", "number greater than 0"]
        ),
        (
            "fractional seeds", #"{"user_email": "tech@lab.example", "seed_name": "Brassica napus", "nb_seeds": 2.5}"#,
            ["nb_seeds", "whole number"]
        ),
        (
            "dot in folder name", #"{"user_email": "tech@lab.example", "seed_name": "Brassica napus", "folder_name": "lot.3"}"#,
            ["folder_name", "'.'"]
        ),
        (
            "both user fields",
            #"{"user_email": "tech@lab.example", "user_id": "3f1c2b8e-0000-4000-8000-000000000000", "seed_name": "Brassica napus"}"#,
            ["keep only one"]
        ),
        ("bad email", #"{"user_email": "tech at lab", "seed_name": "Brassica napus"}"#, ["not an e-mail address"]),
        (
            "key given twice", "{\"user_email\": \"tech@lab.example\",\n \"seed_name\": \"Brassica napus\",\n \"seed_name\": \"Bromus secalinus\"}",
            ["seed_name: given twice (line 2, column 2 and line 3, column 2)", "keep only one of them"]
        ),
        (
            "NUL in description", #"{"user_email": "tech@lab.example", "seed_name": "Brassica napus", "description": "lot 7\u0000"}"#,
            [#"description: contains a NUL character (\u0000); remove it — PostgreSQL cannot store it"#]
        ),
        (
            "NUL in an images override",
            #"{"user_email": "tech@lab.example", "seed_name": "Brassica napus", "images": {"b.png": {"description": "\u0000"}}}"#,
            [#"images.b.png.description: contains a NUL character (\u0000)"#]
        ),
        ("deep nesting", String(repeating: "[", count: 100_000), ["nests lists or objects more than 64 deep", "three levels at most"]),
        ("trailing comma", #"{"user_email": "tech@lab.example", "seed_name": "Brassica napus",}"#, ["line 1, column 66", "remove the last comma"]),
    ]

    @Test(arguments: mistakes.indices)
    func eachMistakeIsNamedWithItsFix(index: Int) async throws {
        let mistake = Self.mistakes[index]
        let (bad, _) = try await syncBeside(metadata: mistake.metadata)
        let text = bad.problems.joined(separator: "\n")
        for fragment in mistake.expected {
            #expect(text.contains(fragment), "\(mistake.name): \(text)")
        }
        #expect(bad.summaryLines.joined(separator: "\n").contains("bad"), "the summary names the folder")
        #expect(text.contains(" — "), "every problem carries a fix")
    }

    @Test func everyMistakeOfAFileIsReportedAtOnce() async throws {
        let (bad, _) = try await syncBeside(
            metadata: #"{"user_email": 3, "seed_name": "", "zoom_level": -1, "nb_seeds": "ten", "colour": "red"}"#
        )
        #expect(bad.problems.count == 5, "\(bad.problems)")
    }

    @Test func aFolderWithoutMetadataIsPendingNotAnError() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("incoming", metadata: nil)
        try datastore.drop.writeImage("a.png", in: "incoming", seed: 1)

        let first = try await datastore.sync()
        #expect(first.errors == 0)
        #expect(first.folders.first?.status == .pending)
        #expect(first.folders.first?.waiting == 1)

        try datastore.drop.writeMetadata(DropFolderBuilder.metadata(), in: "incoming")
        let second = try await datastore.sync()
        #expect(second.uploaded == 1)
    }

    @Test func fixingTheMetadataUploadsTheWaitingImages() async throws {
        let (_, datastore) = try await syncBeside(metadata: #"{"user_email": "tech@lab.example", "seed_name": "Bromus secalnus"}"#)
        try datastore.drop.writeMetadata(DropFolderBuilder.metadata(seed: "Bromus secalinus"), in: "bad")

        let report = try await datastore.sync()

        #expect(report.errors == 0)
        #expect(report.uploaded == 1)
    }

    @Test func aSetCannotMoveToAnotherOwnerOrFolderName() async throws {
        let datastore = try await TestDatastore.make()
        _ = try await datastore.engine().registerUser(email: "other@lab.example")
        try datastore.drop.makeSet("lot", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot", seed: 1)
        _ = try await datastore.sync()

        try datastore.drop.writeMetadata(
            DropFolderBuilder.metadata(email: "other@lab.example", extra: ["folder_name": "renamed"]), in: "lot")
        try datastore.drop.writeImage("b.png", in: "lot", seed: 2)
        let report = try await datastore.sync()

        let folder = try #require(report.folders.first)
        #expect(folder.uploaded == 0)
        #expect(folder.problems.contains { $0.contains("user_email") && $0.contains("new subfolder") })
        #expect(folder.problems.contains { $0.contains("folder_name") && $0.contains("\"lot\"") })
        #expect(try await datastore.rowCount("picture") == 1)
    }

    @Test func aSubfolderNameNachetCannotHoldIsMapped() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot 3.1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot 3.1", seed: 1)

        let report = try await datastore.sync()

        #expect(report.folders.first?.folderName == "lot 3_1")
        #expect(datastore.pictureBlobNames().first?.contains("/lot 3_1/") == true)
    }

    @Test func aMetadataFileJustOverTheLimitIsRefusedAndOneAtItIsRead() throws {
        let padding = SetMetadata.maximumFileSize - 64
        let document = #"{"user_email": "a@b", "seed_name": "x"}"# + String(repeating: " ", count: padding)
        #expect(throws: Never.self) { _ = try SetMetadata.parse(Data(document.utf8)) }
        let over = document + String(repeating: " ", count: 64)
        #expect(document.utf8.count <= SetMetadata.maximumFileSize && over.utf8.count > SetMetadata.maximumFileSize)
        do {
            _ = try SetMetadata.parse(Data(over.utf8))
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("more than a metadata.json may hold"))
        }
    }

    @Test func aNULCharacterNeverReachesPostgreSQL() async throws {
        let datastore = try await TestDatastore.make(catalogue: .postgres)
        try datastore.drop.makeSet("good", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("g.png", in: "good", seed: 100)
        try datastore.drop.makeSet("nul", metadata: DropFolderBuilder.metadata(extra: ["description": "lot\u{0}7"]))
        try datastore.drop.writeImage("n.png", in: "nul", seed: 200)

        let report = try await datastore.sync()

        let nul = try #require(report.folders.first { $0.path.hasSuffix("/nul") })
        #expect(nul.status == .invalid)
        #expect(nul.problems == ["metadata.json: description: contains a NUL character (\\u0000); remove it — PostgreSQL cannot store it"])
        #expect(report.uploaded == 1)
        #expect(report.errors == 1)
    }
}
