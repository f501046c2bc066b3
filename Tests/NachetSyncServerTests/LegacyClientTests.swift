import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// A client that speaks only Nachet's legacy bodies, written from the
/// contract's table (no token, no `sha256`, no extension header read), as
/// Nachet's web UI sends them (its extra `user_id` field included), works
/// against `serve --insecure-dev-no-auth`; and what it stored is what the
/// agent stores for the same files.
@Suite("serve: a legacy Nachet client")
struct LegacyClientTests {
    /// Nachet's batch import, step by step, over plain JSON.
    struct LegacyClient {
        let baseURL: String
        let http: HTTPClient

        func call(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> (Int, Any?) {
            var request = HTTPClientRequest(url: baseURL + path)
            request.method = .init(rawValue: method)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "Access-Control-Allow-Origin", value: "*")
            if let body { request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))) }
            let response = try await http.execute(request, timeout: .seconds(120))
            let bytes = try await response.body.collect(upTo: 64 << 20)
            return (
                Int(response.status.code),
                try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView), options: .fragmentsAllowed)
            )
        }
    }

    @Test(arguments: ServerHarness.backends)
    func nachetsBatchImportWorksUnchangedAndStoresWhatTheAgentStores(backends: Backends) async throws {
        try await ServerHarness.with(backends, development: true) { harness in
            let client = LegacyClient(baseURL: harness.baseURL, http: harness.client)
            let files = (1...3).map { DropFolderBuilder.imageBytes(seed: UInt64(100 + $0), size: 20_000 * $0) }

            let (userStatus, user) = try await client.call("POST", "/get-user-id", ["email": TestDatastore.technician])
            #expect(userStatus == 200)
            let userID = try #require((user as? [String: Any])?["user_id"] as? String)
            let (seedsStatus, seeds) = try await client.call("GET", "/seeds")
            #expect(seedsStatus == 200)
            let seed = try #require(
                ((seeds as? [String: Any])?["seeds"] as? [[String: Any]])?.first { $0["seed_name"] as? String == "Brassica napus" })
            let seedID = try #require(seed["seed_id"] as? String)

            let (importStatus, batch) = try await client.call(
                "POST", "/new-batch-import",
                ["user_id": userID, "folder_name": "lot-api", "container_name": userID, "nb_pictures": files.count])
            #expect(importStatus == 200)
            let session = try #require((batch as? [String: Any])?["session_id"] as? String)
            for file in files {
                let (status, answer) = try await client.call(
                    "POST", "/upload-picture",
                    [
                        "container_name": userID, "user_id": userID, "seed_id": seedID, "seed_name": "Brassica napus", "zoom_level": 1.5,
                        "nb_seeds": 10, "session_id": session, "image": "data:image/png;base64," + file.base64EncodedString(),
                    ])
                #expect(status == 200)
                #expect(answer as? [Bool] == [true])
            }

            let (directoriesStatus, directories) = try await client.call("POST", "/get-directories", ["container_name": userID])
            #expect(directoriesStatus == 200)
            let folder = try #require(
                ((directories as? [String: Any])?["folders"] as? [[String: Any]])?.first { $0["folder_name"] as? String == "lot-api" })
            #expect(folder["nb_pictures"] as? Int == files.count)
            var fetched: [Data] = []
            for picture in folder["pictures"] as? [[String: Any]] ?? [] {
                let (status, answer) = try await client.call(
                    "POST", "/get-picture", ["container_name": userID, "picture_id": picture["picture_id"] as? String ?? ""])
                #expect(status == 200)
                let image = try #require((answer as? [String: Any])?["image"] as? String)
                fetched.append(try #require(Data(base64Encoded: String(image.split(separator: ",", maxSplits: 1)[1]))))
            }
            #expect(Set(fetched) == Set(files))

            // The agent stores the same files from a drop folder.
            let store = harness.datastore
            try store.drop.makeSet("lot-agent", metadata: DropFolderBuilder.metadata())
            for (index, file) in files.enumerated() {
                try file.write(to: URL(fileURLWithPath: store.drop.root + "/lot-agent/IMG_\(index).png"))
            }
            let report = try await store.sync()
            #expect(report.uploaded == files.count)

            try await Self.expectSameShapes(store, apiFolder: "lot-api", agentFolder: "lot-agent", user: userID)
        }
    }

    /// What the server and the agent stored for the same bytes, compared:
    /// each picture's document (but its link's picture id and folder, and
    /// the file name the legacy client cannot send), seed, blob bytes and
    /// tags, each set's count and folder marker.
    static func expectSameShapes(_ store: TestDatastore, apiFolder: String, agentFolder: String, user: String) async throws {
        let sets = try await store.catalogue.pictureSetListings(ownerID: try #require(UUID(uuidString: user)))
        let api = try #require(sets.first { $0.set.name == apiFolder }?.set)
        let agent = try #require(sets.first { $0.set.name == agentFolder }?.set)
        let counts = try await store.numberOfImages()
        #expect(counts[apiFolder] == 3 && counts[agentFolder] == 3)

        let rows = try await store.pictureRows()
        let apiRows = rows.filter { $0.set == api.id.lowercased }
        let agentRows = rows.filter { $0.set == agent.id.lowercased }
        #expect(apiRows.count == 3 && agentRows.count == 3)
        for apiRow in apiRows {
            let sha256 = try #require(apiRow.json["sha256"] as? String)
            let agentRow = try #require(agentRows.first { $0.json["sha256"] as? String == sha256 })
            #expect(Set(apiRow.json.keys) == Set(agentRow.json.keys))
            for key in ["nb_seeds", "zoom", "description", "sha256"] {
                #expect("\(apiRow.json[key] ?? "absent")" == "\(agentRow.json[key] ?? "absent")", "\(key)")
            }
            #expect(apiRow.json["file_name"] as? String == "")
            let apiBlob = BlobReference(container: "user-" + user, name: apiFolder + "/" + apiRow.id)
            let agentBlob = BlobReference(container: "user-" + user, name: agentFolder + "/" + agentRow.id)
            #expect(apiRow.json["link"] as? String == store.blobStore.url(of: apiBlob))
            #expect(agentRow.json["link"] as? String == store.blobStore.url(of: agentBlob))
            #expect(try store.blobSHA256(apiBlob.description) == sha256 && store.blobSHA256(agentBlob.description) == sha256)
            let apiTags = try #require(try await store.blobStore.properties(of: apiBlob)).tags
            let agentTags = try #require(try await store.blobStore.properties(of: agentBlob)).tags
            #expect(apiTags == ["picture_uuid": apiRow.id, "picture_set_uuid": api.id.lowercased])
            #expect(agentTags == ["picture_uuid": agentRow.id, "picture_set_uuid": agent.id.lowercased])
            #expect(try await store.seedID(ofPicture: apiRow.id) == store.seedID(ofPicture: agentRow.id))
        }
        for set in [api, agent] {
            let marker = BlobLayout.folderMarker(folder: set.folderName, user: set.ownerID)
            #expect(try await store.blobStore.properties(of: marker)?.tags == ["picture_set_uuid": set.id.lowercased])
            let content = try #require(try await store.blobStore.read(marker, offset: 0, length: 4096))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(content.readableBytesView)) as? [String: String])
            #expect(Set(json.keys) == ["folder_name", "date_created", "folder_uuid"])
            #expect(json["folder_name"] == set.folderName && json["folder_uuid"] == set.id.lowercased)
        }
        let names = store.blobNames().filter { $0.hasPrefix("user-\(user)/\(apiFolder)/") }
        #expect(names.count == 4)  // three pictures and the marker, nothing else
    }
}
