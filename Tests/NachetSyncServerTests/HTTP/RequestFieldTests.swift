import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// Every field of a request given once, and holding no character that
/// makes no sense in it: a key given twice (Foundation's decoder kept the
/// first value, Python's the last) and a NUL (PostgreSQL's raw error on one
/// backend, stored on the other) are refused with a 400 naming the field.
@Suite("serve: request fields given once, without control characters")
struct RequestFieldTests {
    @Test(arguments: ServerHarness.backends)
    func aKeyGivenTwiceIsRefusedNamingIt(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let body = #"{"container_name": "\#(harness.userID)", "nb_pictures": 1, "folder_name": "lot-a", "folder_name": "lot-b"}"#
            let twice = try await harness.send(.POST, "/new-batch-import", body: Data(body.utf8))
            #expect(twice.status == 400)
            #expect(twice.errorCode == "bad-request")
            #expect(
                twice.message
                    == "API Error initiating batch upload : the key \"folder_name\" is given twice (line 1, column 78 and line 1, column 102); programs disagree on which value counts, so send each key once",
                "\(twice.text)")
            #expect(try await harness.datastore.rowCount("picture_set") == 1, "no set made")

            let email = #"{"email": "\#(ServerHarness.unregistered)", "email": "\#(TestDatastore.technician)"}"#
            let asked = try await harness.send(.POST, "/get-user-id", body: Data(email.utf8))
            #expect(asked.status == 400 && asked.message?.contains("the key \"email\" is given twice") == true, "\(asked.text)")

            let session = try await harness.newSession()
            let image = DropFolderBuilder.imageBytes(seed: 1, size: 2000)
            let query = UploadPictureRawRouteTests.query(harness, session: session, extra: "&seed_name=Cirsium%20arvense")
            let raw = try await harness.send(.POST, query, body: image, headers: [("X-Content-SHA256", image.sha256)])
            #expect(raw.status == 400)
            #expect(
                raw.message == "API Error uploading picture : the query gives seed_name twice; programs disagree on which value counts, so give it once",
                "\(raw.text)")
            #expect(try await harness.datastore.rowCount("picture") == 0)
        }
    }

    @Test(arguments: ServerHarness.backends)
    func aControlCharacterWhereItMakesNoSenseIsRefusedNamingTheField(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let session = try await harness.newSession()
            let image = DropFolderBuilder.imageBytes(seed: 2, size: 2000)
            let refusals: [([String: Any], String)] = [
                (["seed_name": "Brassica\u{0}napus"], "seed_name holds the control character U+0000 (NUL); send the text without it"),
                (["description": "lot 7\u{0}"], "description holds the control character U+0000 (NUL); send the text without it"),
                (["file_name": "IMG\u{0}.png"], "file_name holds the control character U+0000 (NUL); send the text without it"),
                (["seed_name": "Brassica napus\u{1B}[2J"], "seed_name holds the control character U+001B at character 15; send the text without it"),
                (["description": "lot \u{85}7"], "description holds the control character U+0085 at character 5; send the text without it"),
                (["session_id": session + "\u{7F}"], "session_id holds the control character U+007F at character 37; send the text without it"),
            ]
            for (fields, said) in refusals {
                let answer = try await harness.post("/upload-picture", harness.uploadFields(session: session, bytes: image, extra: fields))
                #expect(answer.status == 400, "\(fields): \(answer.text)")
                #expect(answer.errorCode == "bad-request")
                #expect(answer.message == "API Error uploading picture : " + said, "\(answer.text)")
            }
            let asked = try await harness.post("/get-user-id", ["email": TestDatastore.technician + "\u{0}"])
            #expect(asked.status == 400 && asked.message?.hasSuffix("email holds the control character U+0000 (NUL); send the text without it") == true, "\(asked.text)")
            let query = UploadPictureRawRouteTests.query(harness, session: session, extra: "&sha256=%00")
            let raw = try await harness.send(.POST, query, body: image, headers: [("X-Content-SHA256", image.sha256)])
            #expect(raw.status == 400 && raw.message?.hasSuffix("sha256 holds the control character U+0000 (NUL) at character 1; send the text without it") == true, "\(raw.text)")
            #expect(try await harness.datastore.rowCount("picture") == 0)

            // Tabs and line breaks belong in a description, and any file name but NUL is a file's.
            let kept = try await harness.post(
                "/upload-picture",
                harness.uploadFields(session: session, bytes: image, extra: ["description": "lot 7\n\tbench 2", "file_name": "IMG\u{1}.png"]))
            #expect(kept.status == 200, "\(kept.text)")
            let row = try #require(try await harness.datastore.pictureRows().first)
            #expect(row.json["description"] as? String == "lot 7\n\tbench 2")
        }
    }
}
