import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

@Suite("Direct file writes")
struct DirectFileWriterTests {
    /// The size the writer is told to expect: none (a 1 MiB buffer), the
    /// right one (a buffer of whole blocks that size), or one far too small
    /// (a file that grew after it was listed: more, smaller writes).
    enum Hint: String, CaseIterable, CustomTestStringConvertible {
        case none, exact, tooSmall
        var testDescription: String { rawValue }

        func expectedSize(for size: Int) -> Int64? {
            switch self {
            case .none: nil
            case .exact: Int64(size)
            case .tooSmall: 1
            }
        }
    }

    /// Sizes around the block and the buffer: empty, less than a block, a
    /// block, a buffer, a buffer and a byte, and several buffers and a tail.
    @Test(arguments: [0, 1, 4_095, 4_096, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12_345], Hint.allCases)
    func theFileHoldsExactlyTheBytesAppended(size: Int, hint: Hint) throws {
        let directory = TemporaryDirectory()
        let path = directory.appending("blob")
        let data = DropFolderBuilder.imageBytes(seed: UInt64(size), size: size)
        let writer = try DirectFileWriter(creating: path, expectedSize: hint.expectedSize(for: size))
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

    @Test func aSmallFileGetsABufferOfWholeBlocksItsSize() {
        #expect(DirectFileWriter.bufferSize(for: nil) == 1 << 20)
        #expect(DirectFileWriter.bufferSize(for: 0) == 4_096)
        #expect(DirectFileWriter.bufferSize(for: 16_384) == 16_384)
        #expect(DirectFileWriter.bufferSize(for: 16_385) == 20_480)
        #expect(DirectFileWriter.bufferSize(for: 5 << 20) == 1 << 20)
    }
}
