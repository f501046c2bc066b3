import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// Four clients send the same 50 files to one session at the same time
/// (two by `/upload-picture`, two by `/upload-picture-raw`): each picture
/// is stored exactly once, and every client is told its id.
@Suite("serve: concurrent uploads of the same files")
struct ConcurrentUploadTests {
    static let fileCount = 50
    static let clientCount = 4

    @Test(arguments: ServerHarness.backends)
    func fourClientsSendingTheSameFilesStoreEachPictureOnce(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let session = try await harness.newSession(folder: "shared", pictures: Self.fileCount)
            let files = (0..<Self.fileCount).map { DropFolderBuilder.imageBytes(seed: UInt64(1_000 + $0), size: 20_000 + 97 * $0) }

            let answers = try await withThrowingTaskGroup(of: [(file: Int, picture: String, created: Bool)].self) { group in
                for client in 0..<Self.clientCount {
                    group.addTask {
                        try await withHTTPClient { http in
                            let order = client % 2 == 0 ? Array(files.indices) : files.indices.reversed()
                            // Four requests in flight per client.
                            return try await withThrowingTaskGroup(of: (Int, String, Bool).self) { requests in
                                var results: [(file: Int, picture: String, created: Bool)] = []
                                var pending = order.makeIterator()
                                func sendNext() {
                                    guard let index = pending.next() else { return }
                                    requests.addTask {
                                        try await Self.upload(
                                            files[index], index: index, client: client, session: session, harness: harness, http: http)
                                    }
                                }
                                for _ in 0..<4 { sendNext() }
                                while let result = try await requests.next() {
                                    results.append(result)
                                    sendNext()
                                }
                                return results
                            }
                        }
                    }
                }
                var all: [(file: Int, picture: String, created: Bool)] = []
                for try await results in group { all += results }
                return all
            }

            #expect(answers.count == Self.fileCount * Self.clientCount)
            for index in files.indices {
                let forFile = answers.filter { $0.file == index }
                #expect(forFile.count == Self.clientCount)
                #expect(Set(forFile.map(\.picture)).count == 1, "file \(index) got several picture ids")
                #expect(forFile.filter(\.created).count == 1, "file \(index) created \(forFile.filter(\.created).count) times")
            }
            #expect(try await harness.datastore.rowCount("picture") == Self.fileCount)
            #expect(try await harness.datastore.rowCount("picture_seed") == Self.fileCount)
            #expect(harness.datastore.pictureBlobNames().filter { $0.contains("/shared/") }.count == Self.fileCount)
            #expect(try await harness.datastore.numberOfImages()["shared"] == Self.fileCount)
            let stored = Set(try await harness.datastore.pictureRows().compactMap { $0.json["sha256"] as? String })
            #expect(stored == Set(files.map(\.sha256)))
        }
    }

    /// Sends one file: by JSON for even clients, raw bytes for odd ones.
    static func upload(
        _ bytes: Data, index: Int, client: Int, session: String, harness: ServerHarness, http: HTTPClient
    ) async throws -> (Int, String, Bool) {
        var request: HTTPClientRequest
        if client % 2 == 0 {
            request = HTTPClientRequest(url: harness.baseURL + "/upload-picture")
            request.body = .bytes(
                ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: harness.uploadFields(session: session, bytes: bytes))))
        } else {
            request = HTTPClientRequest(url: harness.baseURL + UploadPictureRawRouteTests.query(harness, session: session))
            request.headers.add(name: "X-Content-SHA256", value: bytes.sha256)
            request.body = .bytes(ByteBuffer(bytes: bytes))
        }
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(harness.token)")
        let response = try await http.execute(request, timeout: .seconds(300))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok, let picture = response.headers.first(name: "X-Nachet-Picture-Id"),
            let created = response.headers.first(name: "X-Nachet-Picture-Created")
        else {
            throw HarnessFailure(description: "upload answered \(response.status): \(String(buffer: body))")
        }
        return (index, picture, created == "true")
    }
}
