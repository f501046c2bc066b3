import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// `/new-batch-import`: a picture set and its blob folder, as Nachet makes
/// them; an existing folder resumed (the extension); every refusal.
@Suite("serve: /new-batch-import")
struct NewBatchImportRouteTests {
    @Test(arguments: ServerHarness.backends)
    func aNewFolderIsAPictureSetWithItsMarkerAndTheSameNameResumesIt(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let answer = try await harness.post(
                "/new-batch-import", ["container_name": harness.userID, "nb_pictures": 3, "folder_name": "lot-1"])
            #expect(answer.status == 200)
            let session = try #require((answer.json as? [String: String])?["session_id"])
            #expect(answer.headers.first(name: "X-Nachet-Session-Created") == "true")
            #expect((answer.json as? [String: String])?.count == 1)

            let sessionID = try #require(UUID(uuidString: session))
            let set = try #require(try await harness.datastore.catalogue.pictureSet(id: sessionID))
            #expect(set.name == "lot-1" && set.ownerID == harness.datastore.user.id && set.numberOfImages == 0)
            let marker = "user-\(harness.userID)/lot-1/lot-1.json"
            #expect(harness.datastore.blobNames().contains(marker))
            let properties = try #require(
                try await harness.datastore.blobStore.properties(of: BlobLayout.folderMarker(folder: "lot-1", user: set.ownerID)))
            #expect(properties.tags == ["picture_set_uuid": session])

            // The same folder again: the same set, to resume (Nachet: "Folder already exists").
            let again = try await harness.post(
                "/new-batch-import", ["container_name": harness.userID, "nb_pictures": 5, "folder_name": "lot-1"])
            #expect(again.status == 200)
            #expect((again.json as? [String: String])?["session_id"] == session)
            #expect(again.headers.first(name: "X-Nachet-Session-Created") == "false")
            #expect(try await harness.datastore.rowCount("picture_set") == 2)  // General and lot-1

            // No folder name (or ""): a new set each time, named with a new UUID.
            let unnamed = try await harness.post(
                "/new-batch-import", ["container_name": harness.userID, "nb_pictures": 1, "folder_name": ""])
            let unnamedSession = try #require((unnamed.json as? [String: String])?["session_id"])
            let unnamedID = try #require(UUID(uuidString: unnamedSession))
            let unnamedSet = try #require(try await harness.datastore.catalogue.pictureSet(id: unnamedID))
            #expect(UUID(uuidString: unnamedSet.name ?? "") != nil)
            #expect(harness.datastore.blobNames().contains("user-\(harness.userID)/\(unnamedSet.folderName)/\(unnamedSet.folderName).json"))
        }
    }

    @Test(arguments: ServerHarness.backends)
    func everyRefusalIsNachetsOneMessageList(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let user = harness.userID
            let missing = "API Error initiating batch upload : missing request arguments: either container_name or nb_pictures is missing"
            let wrong = "API Error initiating batch upload : wrong request arguments: either container_name or nb_pictures is wrong"
            let cases: [([String: Any], String)] = [
                (["nb_pictures": 1], missing),
                (["container_name": user], missing),
                (["container_name": user, "nb_pictures": "1"], wrong),
                (["container_name": user, "nb_pictures": 0], wrong),
                (["container_name": user, "nb_pictures": -2], wrong),
                (["container_name": user, "nb_pictures": 1.5], wrong),
                (["container_name": user, "nb_pictures": true], wrong),
                (["container_name": "", "nb_pictures": 1], wrong),
                (["container_name": user, "nb_pictures": NSNull()], wrong),
            ]
            for (fields, message) in cases {
                let answer = try await harness.post("/new-batch-import", fields)
                #expect(answer.status == 400, "\(fields)")
                #expect(answer.message == message, "\(fields)")
                #expect(answer.errorCode == "bad-request", "\(fields)")
            }

            let stranger = UUID().uuidString.lowercased()
            let unknown = try await harness.post("/new-batch-import", ["container_name": stranger, "nb_pictures": 1])
            #expect(unknown.status == 400)
            #expect(unknown.message == "Datastore Error initiating batch upload : User not found based on the given id: \(stranger)")
            #expect(unknown.errorCode == "unknown-user")

            let dotted = try await harness.post("/new-batch-import", ["container_name": user, "nb_pictures": 1, "folder_name": "lot.1"])
            #expect(dotted.status == 400)
            #expect(dotted.message?.hasPrefix("API Error initiating batch upload : folder_name contains a '.'") == true)

            let other = try await harness.registerUser("other@lab.example")
            let foreign = try await harness.post("/new-batch-import", ["container_name": other.id.lowercased, "nb_pictures": 1])
            #expect(foreign.status == 403)
            #expect(foreign.message == "API Error initiating batch upload : this token may not act for the user \(other.id.lowercased)")
            #expect(try await harness.datastore.rowCount("picture_set") == 2)  // the two General sets
        }
    }
}
