import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// `/get-directories` and `/get-picture`: the web UI's two read routes.
@Suite("serve: /get-directories and /get-picture")
struct ReadRoutesTests {
    @Test(arguments: ServerHarness.backends)
    func getDirectoriesListsTheUsersSetsWithTheirPictures(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let session = try await harness.newSession()
            var ids: [String] = []
            for seed in 1...2 {
                let answer = try await harness.post(
                    "/upload-picture",
                    harness.uploadFields(session: session, bytes: DropFolderBuilder.imageBytes(seed: UInt64(seed), size: 2_000)))
                ids.append(try #require(answer.headers.first(name: "X-Nachet-Picture-Id")))
            }

            let answer = try await harness.post("/get-directories", ["container_name": harness.userID])
            #expect(answer.status == 200)
            let folders = try #require((answer.json as? [String: Any])?["folders"] as? [[String: Any]])
            #expect(folders.count == 2)
            let general = try #require(folders.first { $0["folder_name"] as? String == "General" })
            #expect(general["picture_set_id"] as? String == harness.datastore.user.defaultSetID?.lowercased)
            #expect(general["nb_pictures"] as? Int == 0)
            #expect((general["pictures"] as? [Any])?.isEmpty == true)
            let lot = try #require(folders.first { $0["folder_name"] as? String == "lot-1" })
            #expect(Set(lot.keys) == ["picture_set_id", "folder_name", "nb_pictures", "pictures"])
            #expect(lot["picture_set_id"] as? String == session)
            #expect(lot["nb_pictures"] as? Int == 2)
            let pictures = try #require(lot["pictures"] as? [[String: Any]])
            #expect(Set(pictures.compactMap { $0["picture_id"] as? String }) == Set(ids))
            #expect(pictures.allSatisfy { $0["is_validated"] as? Bool == true && $0["inference_exist"] as? Bool == false })

            let missing = try await harness.post("/get-directories", [:])
            #expect(missing.status == 400)
            #expect(missing.message == "API Error retrieving user directories : Missing container name")
            let stranger = UUID().uuidString.lowercased()
            let unknown = try await harness.post("/get-directories", ["container_name": stranger])
            #expect(unknown.status == 400)
            #expect(unknown.message == "Datastore Error retrieving user directories : User not found based on the given id: \(stranger)")
            let other = try await harness.registerUser("other@lab.example")
            let foreign = try await harness.post("/get-directories", ["container_name": other.id.lowercased])
            #expect(foreign.status == 403)
        }
    }

    @Test(arguments: ServerHarness.backends)
    func getPictureAnswersTheBlobAsATIFFDataURL(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let session = try await harness.newSession()
            // Larger than one piece read from the store (3 MiB), and not a multiple of 3.
            let bytes = DropFolderBuilder.imageBytes(seed: 5, size: (7 << 20) + 1)
            let stored = try await harness.send(
                .POST, UploadPictureRawRouteTests.query(harness, session: session), body: bytes,
                headers: [("X-Content-SHA256", bytes.sha256)])
            let pictureID = try #require((stored.json as? [String: Any])?["picture_id"] as? String)

            let answer = try await harness.post("/get-picture", ["container_name": harness.userID, "picture_id": pictureID])
            #expect(answer.status == 200)
            let json = try #require(answer.json as? [String: Any])
            #expect(Set(json.keys) == ["picture_id", "inference", "image"])
            #expect(json["picture_id"] as? String == pictureID)
            #expect(json["inference"] is NSNull)
            let image = try #require(json["image"] as? String)
            #expect(image.hasPrefix("data:image/tiff;base64,"))
            let decoded = try #require(Data(base64Encoded: String(image.dropFirst("data:image/tiff;base64,".count))))
            #expect(decoded == bytes)

            let missing = try await harness.post("/get-picture", ["container_name": harness.userID])
            #expect(missing.status == 400)
            #expect(missing.message == "API Error retrieving the picture : Missing container name")
            let nowhere = UUID().uuidString.lowercased()
            let unknown = try await harness.post("/get-picture", ["container_name": harness.userID, "picture_id": nowhere])
            #expect(unknown.status == 400)
            #expect(unknown.message == "Datastore Error retrieving the picture : Picture not found based on the given id: \(nowhere)")

            // A picture of another user, asked for with a user the token may act for: Nachet's 400.
            let nobody = try await harness.registerUser(ServerHarness.unregistered)
            let notOwner = try await harness.post("/get-picture", ["container_name": nobody.id.lowercased, "picture_id": pictureID])
            #expect(notOwner.status == 400)
            #expect(
                notOwner.message
                    == "Datastore Error retrieving the picture : User can't access this picture, user uuid :\(nobody.id.lowercased), picture : \(pictureID)"
            )
            // A user the token may not act for: 403.
            let other = try await harness.registerUser("other@lab.example")
            let foreign = try await harness.post("/get-picture", ["container_name": other.id.lowercased, "picture_id": pictureID])
            #expect(foreign.status == 403)
        }
    }
}
