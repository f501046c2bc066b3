import AsyncHTTPClient
import Foundation
import Glibc
import NIOCore
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// A 200 MiB image through `/upload-picture-raw`, to the built `serve`
/// running as a child: stored whole, and the server's peak memory does not
/// grow with the file.
@Suite("serve: streaming a large image")
struct StreamingUploadTests {
    /// The large file's size.
    static let largeSize = 200 << 20

    @Test func aLargeImageStreamsToTheBlobStoreInFlatMemory() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let userAdd = try SpawnedProcess(
            ServeProcess.executable, ["user", "add", "--state-dir", state, TestDatastore.technician], error: .file(directory.appending("user-add.log")))
        try await userAdd.exit(within: .seconds(120))
        #expect(userAdd.terminationStatus == 0)

        let serve = try await ServeProcess(arguments: ["--state-dir", state, "--insecure-dev-no-auth"], directory: directory)
        try await withHTTPClient { client in
            let base = "http://127.0.0.1:\(serve.port)"
            func post(_ path: String, json: [String: Any]) async throws -> [String: Any] {
                var request = HTTPClientRequest(url: base + path)
                request.method = .POST
                request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
                let response = try await client.execute(request, timeout: .seconds(60))
                let body = try await response.body.collect(upTo: 1 << 20)
                return (try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
            }
            let user = try #require(try await post("/get-user-id", json: ["email": TestDatastore.technician])["user_id"] as? String)
            let session = try #require(
                try await post("/new-batch-import", json: ["container_name": user, "nb_pictures": 2, "folder_name": "large"])["session_id"]
                    as? String)
            let query = "/upload-picture-raw?container_name=\(user)&session_id=\(session)&seed_name=Brassica%20napus"

            // A small upload first, so the baseline includes every code path's own memory.
            let small = DropFolderBuilder.imageBytes(seed: 1, size: 2 << 20)
            let warm = try await Self.upload(client, base + query, file: try Self.write(small, in: directory), sha256: small.sha256)
            #expect(warm.status == 200)
            let baseline = serve.peakMemory

            let (path, sha256) = try Self.writeLargeFile(in: directory)
            let started = ContinuousClock.now
            let answer = try await Self.upload(client, base + query, file: path, sha256: sha256)
            let elapsed = ContinuousClock.now - started
            #expect(answer.status == 200, "\(answer.body)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any])
            let pictureID = try #require(json["picture_id"] as? String)
            #expect(json["created"] as? Bool == true)
            let peak = serve.peakMemory

            let blob = state + "/blobs/user-\(user)/large/\(pictureID)"
            #expect(try FileContent(path: blob).sha256().hash.hex == sha256)
            let growth = peak - baseline
            print(
                "streaming upload: \(Self.largeSize >> 20) MiB in \(elapsed); serve's peak memory \(baseline >> 20) MiB before, \(peak >> 20) MiB after (+\(growth >> 20) MiB)"
            )
            #expect(growth < 32 << 20, "serve's peak memory grew by \(growth >> 20) MiB for a \(Self.largeSize >> 20) MiB upload")
            #expect(try FileManager.default.contentsOfDirectory(atPath: state + "/serve-uploads").isEmpty)
        }
        #expect(try await serve.stop() == 0, "\(serve.log)")
    }

    /// Writes `bytes` to a file of `directory`.
    static func write(_ bytes: Data, in directory: TemporaryDirectory) throws -> String {
        let path = directory.appending("small-\(UUID().uuidString).png")
        try bytes.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Writes the large file in 1 MiB pieces, hashing them on the way.
    static func writeLargeFile(in directory: TemporaryDirectory) throws -> (path: String, sha256: String) {
        let path = directory.appending("large.tif")
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        let digest = SHA256Digest()
        for piece in 0..<(largeSize >> 20) {
            let bytes = DropFolderBuilder.imageBytes(seed: UInt64(piece + 1), size: 1 << 20)
            bytes.withUnsafeBytes { digest.update($0) }
            try handle.write(contentsOf: bytes)
        }
        return (path, digest.finish().hex)
    }

    /// POSTs the file at `path` as the body, read in 1 MiB pieces.
    static func upload(_ client: HTTPClient, _ url: String, file path: String, sha256: String) async throws -> (status: Int, body: String) {
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "X-Content-SHA256", value: sha256)
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = .stream(FilePieces(path: path), length: .known(Int64(size)))
        let response = try await client.execute(request, timeout: .seconds(600))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(decoding: body.readableBytesView, as: UTF8.self))
    }
}

/// A file's bytes, 1 MiB at a time.
struct FilePieces: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    struct AsyncIterator: AsyncIteratorProtocol {
        let handle: FileHandle?

        mutating func next() async throws -> ByteBuffer? {
            guard let data = try handle?.read(upToCount: 1 << 20), !data.isEmpty else {
                try handle?.close()
                return nil
            }
            return ByteBuffer(bytes: data)
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(handle: FileHandle(forReadingAtPath: path))
    }
}
