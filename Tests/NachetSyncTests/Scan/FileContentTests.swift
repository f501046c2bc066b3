import Foundation
import NIOCore
import NachetSync
import NachetSyncTestSupport
import Testing

@Suite("Streaming SHA-256 and piece checksums")
struct FileContentTests {
    @Test func theHashMatchesOpenSSLsCommandLine() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("big.bin")
        // Larger than one read buffer, and not a multiple of it.
        try DropFolderBuilder.imageBytes(seed: 7, size: 3 * FileContent.chunkSize + 12_345).write(to: URL(fileURLWithPath: path))

        let (hash, signature) = try FileContent(path: path).sha256()

        #expect(signature.size == Int64(3 * FileContent.chunkSize + 12_345))
        let expected = try ChildProcess.run("sha256sum", [path]).prefix(64)
        #expect(hash.hex == String(expected))
    }

    /// Piece sizes across, equal to and a multiple of the read buffer's.
    @Test(arguments: [300_000, FileContent.chunkSize, 2 * FileContent.chunkSize])
    func thePieceChecksumsAreMicrosoftsCRC64OfEachSlice(pieceSize: Int) async throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("big.bin")
        let size = 3 * FileContent.chunkSize + 12_345
        try DropFolderBuilder.imageBytes(seed: 8, size: size).write(to: URL(fileURLWithPath: path))

        let fingerprint = try FileContent(path: path).fingerprint(pieceSize: pieceSize)

        #expect(fingerprint.sha256 == (try FileContent(path: path).sha256().hash))
        let pieces = try #require(fingerprint.pieces)
        #expect(pieces.byteCount == Int64(size))
        #expect(pieces.areCut(in: pieceSize))
        #expect(!pieces.areCut(in: pieceSize + 1))
        // Microsoft's own CRC-64 (azure-storage-extensions, which the SDK
        // uses for x-ms-content-crc64) slices the file.
        let script = """
            import base64, sys
            from azure.storage.extensions.checksums import crc64
            data = open(sys.argv[1], "rb").read()
            step = int(sys.argv[2])
            for start in range(0, len(data), step):
                print(base64.b64encode(crc64.compute(data[start:start + step], 0).to_bytes(8, "little")).decode())
            """
        let result = try await TestPython.run(["-c", script, path, "\(pieceSize)"])
        #expect(result.status == 0, "\(result.output)")
        #expect(pieces.crc64 == result.output.split(separator: "\n").map(String.init))
        #expect(pieces.crc64.count == (size + pieceSize - 1) / pieceSize)
    }

    @Test func aFileUpToTheKeptSizeIsKeptWholeWithTheSameHash() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("kept.bin")
        let size = 3 * FileContent.chunkSize + 12_345
        let data = DropFolderBuilder.imageBytes(seed: 9, size: size)
        try data.write(to: URL(fileURLWithPath: path))

        let kept = try FileContent(path: path).fingerprint(pieceSize: nil, keepingUpTo: size)
        let streamed = try FileContent(path: path).fingerprint(pieceSize: nil, keepingUpTo: size - 1)

        #expect(kept.bytes.map { Data($0.readableBytesView) } == data)
        // Sized once for the file (NIO rounds to a power of two) and never
        // grown, which would double it again.
        #expect((kept.bytes?.capacity ?? 0) < 2 * size)
        #expect(streamed.bytes == nil)
        #expect(kept.sha256 == streamed.sha256)
        #expect(kept.signature == streamed.signature)
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
