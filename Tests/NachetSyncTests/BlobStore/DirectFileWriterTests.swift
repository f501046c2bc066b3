import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

@Suite("Direct file writes")
struct DirectFileWriterTests {
    /// Sizes around the block and the buffer: empty, less than a block, a
    /// block, a buffer, a buffer and a byte, and several buffers and a tail.
    @Test(arguments: [0, 1, 4_095, 4_096, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12_345])
    func theFileHoldsExactlyTheBytesAppended(size: Int) throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("blob")
        let data = DropFolderBuilder.imageBytes(seed: UInt64(size), size: size)
        let writer = try DirectFileWriter(creating: path)
        // Appended in uneven pieces, as chunks of a file arrive.
        var offset = 0
        var piece = 1_000
        while offset < size {
            let end = min(size, offset + piece)
            try data[offset..<end].withUnsafeBytes { try writer.append($0) }
            offset = end
            piece = piece * 3 + 7
        }

        #expect(try writer.finish() == Int64(size))
        #expect(FileManager.default.contents(atPath: path) == data)
        // ext4 here takes direct writes (CI's too); a filesystem that does
        // not gets ordinary ones, with the same bytes.
        print("direct I/O on \(directory.path): \(writer.isDirect)")
    }

    @Test func anExistingFileIsNotOverwritten() throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("blob")
        try Data("kept".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: BlobStoreError.self) { try DirectFileWriter(creating: path) }
        #expect(FileManager.default.contents(atPath: path) == Data("kept".utf8))
    }
}
