import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

@Suite("Streaming SHA-256")
struct FileContentTests {
    @Test func theHashMatchesOpenSSLsCommandLine() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("big.bin")
        // Larger than one read buffer, and not a multiple of it.
        try DropFolderBuilder.imageBytes(seed: 7, size: 3 * FileContent.chunkSize + 12_345).write(to: URL(fileURLWithPath: path))

        let (hash, signature) = try FileContent(path: path).sha256()

        #expect(signature.size == Int64(3 * FileContent.chunkSize + 12_345))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum", path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        process.waitUntilExit()
        let expected = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)
        #expect(hash.hex == String(expected))
    }

    @Test func anEmptyFileHasTheEmptyDigest() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("empty.png")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        #expect(try FileContent(path: path).sha256().hash.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func anUnreadableFileSaysWhatToDo() throws {
        let error = FileReadError(path: "/drop/a.png", errno: EACCES)
        #expect(error.description.contains("/drop/a.png"))
        #expect(error.description.contains("read permission"))
        #expect(throws: FileReadError.self) { try FileContent(path: "/nonexistent/a.png").sha256() }
    }
}
