import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// `/new-batch-import`'s `folder_name` under the agent's rule
/// (``FolderName``): measured in bytes and checked before any row or blob
/// is written, one set for both Unicode forms of a name, look-alikes
/// refused; and no answer holds the server's local paths.
@Suite("serve: /new-batch-import folder names")
struct NewBatchImportNameTests {
    private func newBatch(_ harness: ServerHarness, folder: String) async throws -> ServerHarness.Answer {
        try await harness.post("/new-batch-import", ["container_name": harness.userID, "nb_pictures": 1, "folder_name": folder])
    }

    /// Before, a name of 255 characters (765 bytes), or one character of
    /// 10 KB, made the set's row, then its folder failed ("File name too
    /// long", with the server's path in the answer) and the set stayed.
    @Test(arguments: ServerHarness.backends)
    func aNameTooLongInBytesIsRefusedBeforeAnyRowOrBlob(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let blobsBefore = harness.datastore.blobNames()
            let names = [
                String(repeating: "x", count: 246), String(repeating: "x", count: 251), String(repeating: "x", count: 255),
                String(repeating: "中", count: 255), "e" + String(repeating: "\u{301}", count: 5000),
            ]
            for name in names {
                let answer = try await newBatch(harness, folder: name)
                #expect(answer.status == 400, "\(name.utf8.count) bytes: \(answer.text.prefix(300))")
                #expect(answer.errorCode == "bad-request")
                let message = try #require(answer.message)
                #expect(message.contains("folder_name is \(name.precomposedStringWithCanonicalMapping.utf8.count) bytes long in UTF-8, over the 245"))
                #expect(!message.contains(harness.datastore.directory.path), "no local path")
            }
            #expect(try await harness.datastore.rowCount("picture_set") == 1, "only the technician's General")
            #expect(harness.datastore.blobNames() == blobsBefore)

            let longest = String(repeating: "é", count: 122)  // 244 bytes
            let stored = try await newBatch(harness, folder: longest)
            #expect(stored.status == 200, "\(stored.text)")
            #expect(harness.datastore.blobNames().contains("user-\(harness.userID)/\(longest)/\(longest).json"))
        }
    }

    /// "café" composed (Windows, Linux) and decomposed (a Mac) is one set,
    /// named in the composed form.
    @Test(arguments: ServerHarness.backends)
    func bothUnicodeFormsOfANameAreOneSet(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let composed = try await newBatch(harness, folder: "caf\u{E9}")
            let decomposed = try await newBatch(harness, folder: "cafe\u{301}")
            #expect(composed.status == 200 && decomposed.status == 200, "\(decomposed.text)")
            let session = try #require((composed.json as? [String: String])?["session_id"])
            #expect((decomposed.json as? [String: String])?["session_id"] == session)
            #expect(decomposed.headers.first(name: "X-Nachet-Session-Created") == "false")
            let sessionID = try #require(UUID(uuidString: session))
            let set = try #require(try await harness.datastore.catalogue.pictureSet(id: sessionID))
            #expect(set.name.map { Array($0.utf8) } == Array("caf\u{E9}".utf8))
            #expect(try await harness.datastore.rowCount("picture_set") == 2)
        }
    }

    /// Names that look like others: each refused, naming the character and
    /// where it is; nothing made.
    @Test(arguments: ServerHarness.backends)
    func lookAlikeNamesAreRefused(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let cases = [
                ("lot\u{200B}1", "contains U+200B ZERO WIDTH SPACE (an invisible formatting character) at character 4"),
                ("lot\u{202E}1", "contains U+202E RIGHT-TO-LEFT OVERRIDE (an invisible formatting character) at character 4"),
                (" lot-1", "begins with a space"),
                ("lot-1 ", "ends with a space"),
                ("lot\u{7F}1", "contains U+007F (a control character) at character 4"),
                ("lot\u{9B}1", "contains U+009B (a control character) at character 4"),
            ]
            for (name, problem) in cases {
                let answer = try await newBatch(harness, folder: name)
                #expect(answer.status == 400, "\(answer.text)")
                #expect(answer.message == "API Error initiating batch upload : folder_name \(problem); remove it; \(FolderName.rule)", "\(answer.text)")
            }
            #expect(try await harness.datastore.rowCount("picture_set") == 1)
        }
    }

    /// A failure of the blob store is answered in words and said whole in
    /// serve's log: the answer holds no path of the server's.
    @Test func aBlobStoreFailureIsAnsweredWithoutTheServersPaths() async throws {
        let log = CapturedLog()
        try await ServerHarness.with(logger: log.logger()) { harness in
            let store = try #require(harness.datastore.blobStore as? LocalBlobStore)
            // A file where the set's folder would go: creating it fails.
            let blocked = store.root + "/user-\(harness.userID)/lot-9"
            #expect(FileManager.default.createFile(atPath: blocked, contents: Data()))

            let answer = try await newBatch(harness, folder: "lot-9")

            #expect(answer.status == 400)
            #expect(answer.errorCode == "datastore-failed")
            let message = try #require(answer.message)
            #expect(message.hasPrefix("Datastore Error initiating batch upload : the blob store or the upload spool failed; serve's log has the cause (request "), "\(message)")
            #expect(!message.contains(store.root) && !message.contains(harness.datastore.directory.path), "\(message)")
            #expect(log.messagesWithMetadata.contains { $0.contains(blocked) }, "the log has the whole error")
        }
    }
}
