import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// `/upload-picture-raw`: the image's bytes as the body, checked against
/// `X-Content-SHA256`, stored like `/upload-picture`'s.
@Suite("serve: /upload-picture-raw")
struct UploadPictureRawRouteTests {
    /// The query of a raw upload to `session`.
    static func query(_ harness: ServerHarness, session: String, extra: String = "") -> String {
        "/upload-picture-raw?container_name=\(harness.userID)&session_id=\(session)&seed_name=Brassica%20napus&zoom_level=2.5&nb_seeds=4"
            + "&file_name=IMG%200001.tif&description=lot%207" + extra
    }

    @Test(arguments: ServerHarness.backends)
    func rawBytesAreStoredOnceAndAnsweredWithThePictureID(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let session = try await harness.newSession()
            let bytes = DropFolderBuilder.imageBytes(seed: 3, size: 3 << 20)
            let path = Self.query(harness, session: session)

            let answer = try await harness.send(.POST, path, body: bytes, headers: [("X-Content-SHA256", bytes.sha256)])
            #expect(answer.status == 200, "\(answer.text)")
            let json = try #require(answer.json as? [String: Any])
            let pictureID = try #require(json["picture_id"] as? String)
            #expect(json["created"] as? Bool == true)
            #expect(Set(json.keys) == ["picture_id", "created"])
            #expect(answer.headers.first(name: "X-Nachet-Picture-Id") == pictureID)
            #expect(answer.headers.first(name: "X-Nachet-Picture-Created") == "true")

            let row = try #require(try await harness.datastore.pictureRows().first)
            #expect(row.id == pictureID)
            #expect(row.json["file_name"] as? String == "IMG 0001.tif")
            #expect(row.json["description"] as? String == "lot 7")
            #expect(row.json["zoom"] as? Double == 2.5 && row.json["nb_seeds"] as? Int == 4)
            #expect(try harness.datastore.blobSHA256("user-\(harness.userID)/lot-1/\(pictureID)") == bytes.sha256)

            let again = try await harness.send(.POST, path, body: bytes, headers: [("X-Content-SHA256", bytes.sha256)])
            #expect(again.status == 200)
            #expect((again.json as? [String: Any])?["picture_id"] as? String == pictureID)
            #expect((again.json as? [String: Any])?["created"] as? Bool == false)
            #expect(try await harness.datastore.rowCount("picture") == 1)
        }
    }

    @Test(arguments: ServerHarness.backends)
    func refusalsStoreNothing(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let session = try await harness.newSession()
            let bytes = DropFolderBuilder.imageBytes(seed: 4, size: 100_000)
            let path = Self.query(harness, session: session)

            let noHeader = try await harness.send(.POST, path, body: bytes)
            #expect(noHeader.status == 400)
            #expect(
                noHeader.message
                    == "API Error uploading picture : the header X-Content-SHA256 (the image's SHA-256, in hexadecimal) is required")

            let wrong = String(repeating: "f", count: 64)
            let mismatch = try await harness.send(.POST, path, body: bytes, headers: [("X-Content-SHA256", wrong)])
            #expect(mismatch.status == 400)
            #expect(
                mismatch.message
                    == "API Error uploading picture : the image's SHA-256 is \(bytes.sha256), not the sha256 given (\(wrong)); nothing was stored"
            )
            #expect(mismatch.errorCode == "sha256-mismatch")

            let missing = try await harness.send(
                .POST, "/upload-picture-raw?container_name=\(harness.userID)", body: bytes, headers: [("X-Content-SHA256", bytes.sha256)])
            #expect(missing.status == 400)
            #expect(
                missing.message
                    == "API Error uploading picture : missing request arguments: either seed_name, session_id or container_name is missing")

            let other = try await harness.registerUser("other@lab.example")
            let foreign = try await harness.send(
                .POST, Self.query(harness, session: try #require(other.defaultSetID).lowercased), body: bytes,
                headers: [("X-Content-SHA256", bytes.sha256)])
            #expect(foreign.status == 403)
            #expect(foreign.errorCode == "forbidden")

            let empty = try await harness.send(.POST, path, body: Data(), headers: [("X-Content-SHA256", Data().sha256)])
            #expect(empty.status == 400)
            #expect(empty.message == "API Error uploading picture : the image is empty")

            #expect(try await harness.datastore.rowCount("picture") == 0)
            #expect(harness.datastore.pictureBlobNames().isEmpty)
            // Nothing left in the spool either.
            let spool = harness.datastore.directory.appending("spool")
            #expect(try FileManager.default.contentsOfDirectory(atPath: spool).isEmpty)
        }
    }

    /// Small images are received in memory and stored from there; larger
    /// ones stream through the spool. With the spool made unusable (a file
    /// where its folder was, which stops root too), a small image is still
    /// stored, and a large one is refused; serve's log names the spool and
    /// the fix, the answer holds no path of the server's.
    @Test func smallImagesAreStoredFromMemoryAndLargeOnesThroughTheSpool() async throws {
        let log = CapturedLog()
        try await ServerHarness.with(logger: log.logger()) { harness in
            let session = try await harness.newSession()
            let spool = harness.datastore.directory.appending("spool")
            try FileManager.default.removeItem(atPath: spool)
            #expect(FileManager.default.createFile(atPath: spool, contents: Data()))
            let path = Self.query(harness, session: session)

            let small = DropFolderBuilder.imageBytes(seed: 5, size: 1 << 20)
            let stored = try await harness.send(.POST, path, body: small, headers: [("X-Content-SHA256", small.sha256)])
            #expect(stored.status == 200, "\(stored.text)")
            let pictureID = try #require((stored.json as? [String: Any])?["picture_id"] as? String)
            #expect(try harness.datastore.blobSHA256("user-\(harness.userID)/lot-1/\(pictureID)") == small.sha256)

            let large = DropFolderBuilder.imageBytes(seed: 6, size: 5 << 20)
            let refused = try await harness.send(.POST, path, body: large, headers: [("X-Content-SHA256", large.sha256)])
            #expect(refused.status == 400)
            #expect(refused.errorCode == "datastore-failed")
            // The answer says what failed in words, never the server's paths;
            // serve's log names the spool and the fix.
            #expect(
                refused.message?.hasPrefix(
                    "Datastore Error uploading picture : the blob store or the upload spool failed; serve's log has the cause (request ") == true,
                "\(refused.text)")
            #expect(!refused.text.contains(spool), "\(refused.text)")
            let logged = try #require(log.messagesWithMetadata.first { $0.contains("cannot create \(spool)/") }, "\(log.messagesWithMetadata)")
            #expect(logged.contains("check that the spool directory is writable"))
            #expect(try await harness.datastore.rowCount("picture") == 1)
        }
    }
}
