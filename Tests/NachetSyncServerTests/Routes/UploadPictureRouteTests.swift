import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// `/upload-picture`: one picture stored as the agent stores it, once per
/// set whatever the retries, and every refusal.
@Suite("serve: /upload-picture")
struct UploadPictureRouteTests {
    @Test(arguments: ServerHarness.backends)
    func aPictureIsStoredOnceAsTheAgentStoresIt(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let session = try await harness.newSession()
            let bytes = DropFolderBuilder.imageBytes(seed: 1, size: 40_000)

            let answer = try await harness.post("/upload-picture", harness.uploadFields(session: session, bytes: bytes))
            #expect(answer.status == 200)
            #expect(answer.json as? [Bool] == [true])
            #expect(answer.text == "[true]")
            let pictureID = try #require(answer.headers.first(name: "X-Nachet-Picture-Id"))
            #expect(answer.headers.first(name: "X-Nachet-Picture-Created") == "true")

            // The row, its document, its seed, the set's count.
            let rows = try await harness.datastore.pictureRows()
            #expect(rows.count == 1)
            let row = try #require(rows.first)
            #expect(row.id == pictureID && row.set == session)
            let blobName = "lot-1/" + pictureID
            let blob = BlobReference(container: "user-" + harness.userID, name: blobName)
            #expect(Set(row.json.keys) == ["link", "nb_seeds", "zoom", "description", "sha256", "file_name"])
            #expect(row.json["link"] as? String == harness.datastore.blobStore.url(of: blob))
            #expect(row.json["nb_seeds"] as? Int == 10)
            #expect(row.json["zoom"] as? Double == 1.5)
            #expect(row.json["description"] as? String == "")
            #expect(row.json["sha256"] as? String == bytes.sha256)
            #expect(row.json["file_name"] as? String == "")
            let seed = try #require(try await harness.datastore.catalogue.seeds().first { $0.name == "Brassica napus" })
            #expect(try await harness.datastore.seedID(ofPicture: pictureID) == seed.id.lowercased)
            #expect(try await harness.datastore.numberOfImages()["lot-1"] == 1)

            // The blob: its bytes, its tags, its hash.
            #expect(try harness.datastore.blobSHA256(blob.description) == bytes.sha256)
            let properties = try #require(try await harness.datastore.blobStore.properties(of: blob))
            #expect(properties.tags == ["picture_uuid": pictureID, "picture_set_uuid": session])
            #expect(properties.sha256?.hex == bytes.sha256)

            // The same bytes again (a retry), with or without sha256: the same picture, nothing new.
            let retry = try await harness.post("/upload-picture", harness.uploadFields(session: session, bytes: bytes))
            let withHash = try await harness.post(
                "/upload-picture", harness.uploadFields(session: session, bytes: bytes, extra: ["sha256": bytes.sha256.uppercased()]))
            for again in [retry, withHash] {
                #expect(again.status == 200 && again.json as? [Bool] == [true])
                #expect(again.headers.first(name: "X-Nachet-Picture-Id") == pictureID)
                #expect(again.headers.first(name: "X-Nachet-Picture-Created") == "false")
            }
            #expect(try await harness.datastore.rowCount("picture") == 1)
            #expect(harness.datastore.pictureBlobNames().count == 1)
            #expect(try await harness.datastore.numberOfImages()["lot-1"] == 1)

            // The extensions' fields land in the document.
            let other = DropFolderBuilder.imageBytes(seed: 2, size: 3_000)
            let named = try await harness.post(
                "/upload-picture",
                harness.uploadFields(
                    session: session, bytes: other,
                    extra: [
                        "file_name": "IMG_0002.png", "description": "stereo", "seed_id": seed.id.lowercased, "zoom_level": NSNull(),
                        "nb_seeds": NSNull(),
                    ]))
            #expect(named.status == 200)
            let document = try #require(
                try await harness.datastore.pictureRows().first { $0.id == named.headers.first(name: "X-Nachet-Picture-Id") })
            #expect(document.json["file_name"] as? String == "IMG_0002.png")
            #expect(document.json["description"] as? String == "stereo")
            #expect(document.json["zoom"] is NSNull && document.json["nb_seeds"] is NSNull)
            #expect(try await harness.datastore.numberOfImages()["lot-1"] == 2)
        }
    }

    @Test(arguments: ServerHarness.backends)
    func everyRefusalIsNachetsOneMessageListAndStoresNothing(backends: Backends) async throws {
        try await ServerHarness.with(backends, maximumContentLength: 1 << 20) { harness in
            let session = try await harness.newSession()
            let bytes = DropFolderBuilder.imageBytes(seed: 7, size: 5_000)
            let fields = harness.uploadFields(session: session, bytes: bytes)
            let missing =
                "API Error uploading picture : missing request arguments: either seed_name, session_id, container_name or image is missing"
            func refused(_ changes: [String: Any?], status: Int = 400, _ message: String, code: String) async throws {
                var body = fields
                for (key, value) in changes { body[key] = value }
                let answer = try await harness.post("/upload-picture", body.compactMapValues { $0 })
                #expect(answer.status == status, "\(changes.keys.sorted())")
                #expect(answer.message == message, "\(changes.keys.sorted())")
                #expect(answer.errorCode == code, "\(changes.keys.sorted())")
            }

            try await refused(["image": nil], missing, code: "bad-request")
            try await refused(["container_name": nil], missing, code: "bad-request")
            try await refused(["session_id": nil], missing, code: "bad-request")
            try await refused(["seed_name": nil], missing, code: "bad-request")
            try await refused(
                ["image": "iVBORw0KGgo="],
                "API Error uploading picture : image must be a data URL: data:<type>;base64,<the image in base64>",
                code: "bad-request")
            try await refused(
                ["image": "data:image/png;base64,abc"],
                "API Error uploading picture : image is not valid base64 after the data URL's comma",
                code: "bad-request")
            try await refused(["image": "data:image/png;base64,"], "API Error uploading picture : the image is empty", code: "bad-request")
            try await refused(
                ["zoom_level": "abc"], "API Error uploading picture : zoom_level must be a number greater than 0, or null",
                code: "bad-request")
            try await refused(
                ["nb_seeds": 2.5], "API Error uploading picture : nb_seeds must be a whole number, 0 or more, or null", code: "bad-request")
            try await refused(
                ["seed_name": "Bromus secalnus"],
                "Datastore Error uploading picture : Seed not found based on the given name: Bromus secalnus (GET /seeds lists them)",
                code: "unknown-seed")
            let noSeed = UUID().uuidString.lowercased()
            try await refused(
                ["seed_id": noSeed], "Datastore Error uploading picture : Seed not found based on the given id: \(noSeed)",
                code: "unknown-seed")
            let noSession = UUID().uuidString.lowercased()
            try await refused(
                ["session_id": noSession], "Datastore Error uploading picture : Picture set not found based on the given id: \(noSession)",
                code: "unknown-session")
            let noUser = UUID().uuidString.lowercased()
            try await refused(
                ["container_name": noUser], "Datastore Error uploading picture : User not found based on the given id: \(noUser)",
                code: "unknown-user")
            let wrongHash = String(repeating: "0", count: 64)
            try await refused(
                ["sha256": wrongHash],
                "API Error uploading picture : the image's SHA-256 is \(bytes.sha256), not the sha256 given (\(wrongHash)); nothing was stored",
                code: "sha256-mismatch")
            try await refused(["sha256": "abc"], "API Error uploading picture : sha256 must be 64 hexadecimal digits", code: "bad-request")

            // Another user's session, and a user the token may not act for: 403.
            let other = try await harness.registerUser("other@lab.example")
            let othersSet = try #require(other.defaultSetID).lowercased
            try await refused(
                ["session_id": othersSet], status: 403,
                "API Error uploading picture : the session \(othersSet) is a picture set of another user, not of \(harness.userID)",
                code: "forbidden")
            try await refused(
                ["container_name": other.id.lowercased, "session_id": othersSet], status: 403,
                "API Error uploading picture : this token may not act for the user \(other.id.lowercased)", code: "forbidden")

            // Over the request limit (1 MiB here; 16 MiB by default), told before the body is read.
            let large = DropFolderBuilder.imageBytes(seed: 8, size: 1 << 20)
            let tooLarge = try await harness.post("/upload-picture", harness.uploadFields(session: session, bytes: large))
            #expect(tooLarge.status == 400)
            #expect(
                tooLarge.message
                    == "API Error uploading picture : the request is larger than 1 MiB (NACHET_MAX_CONTENT_LENGTH); send large images as raw bytes to /upload-picture-raw"
            )
            #expect(tooLarge.errorCode == "too-large")

            #expect(try await harness.datastore.rowCount("picture") == 0)
            #expect(harness.datastore.pictureBlobNames().isEmpty)
            #expect(try await harness.datastore.numberOfImages()["lot-1"] == 0)
        }
    }
}
