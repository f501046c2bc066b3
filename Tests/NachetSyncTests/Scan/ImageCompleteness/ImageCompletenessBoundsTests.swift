import Foundation
import Testing

@testable import NachetSync

/// Bytes in memory that count what the checks ask of them.
final class CountingImageBytes: ImageBytes, @unchecked Sendable {
    let bytes: [UInt8]
    private(set) var reads = 0
    private(set) var largestRead = 0
    private(set) var bytesRead = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var size: Int64 { Int64(bytes.count) }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        reads += 1
        largestRead = max(largestRead, buffer.count)
        let got = MemoryImageBytes(bytes: bytes).read(at: offset, into: buffer)
        bytesRead += got
        return got
    }
}

@Suite("Image checks read in bounded pieces, whatever the file claims")
struct ImageCompletenessBoundsTests {
    /// Every seed input, and hostile files of a few MiB: no read asks for
    /// more than one window, and the bytes read stay within a few times the
    /// file's size.
    @Test func noCheckReadsMoreThanAWindowAtOnceNorTheFileManyTimes() throws {
        var files = try FuzzCorpus.files(of: .images).map(\.bytes)
        files.append([0xFF, 0xD8] + [UInt8](repeating: 0xFF, count: 1 << 20))
        files.append(TIFFCompletenessTests.tiff([(273, 4, 1 << 31, 8), (279, 4, 1 << 31, 8)], data: [UInt8](repeating: 9, count: 1 << 20)))
        files.append(
            TIFFCompletenessTests.tiff([(273, 4, 1, 40), (279, 4, 1, 4)], next: 8, data: [UInt8](repeating: 0, count: 256 << 10)))
        for bytes in files {
            let source = CountingImageBytes(bytes)
            _ = ImageCompleteness.problem(in: source)
            #expect(source.largestRead <= ByteCursor<CountingImageBytes>.windowSize)
            #expect(source.bytesRead <= 4 * bytes.count + 64 * 1024, "\(bytes.count) bytes, \(source.bytesRead) read")
        }
    }

    @Test func aTIFFWhoseArraysFitIsReadInWindowsNotAllAtOnce() {
        let strips = 50_000
        let arrays = 38
        var data: [UInt8] = []
        for index in 0..<strips { data += TIFFCompletenessTests.le(UInt32(arrays + 8 * strips + index)) }
        for _ in 0..<strips { data += TIFFCompletenessTests.le(UInt32(1)) }
        let bytes =
            TIFFCompletenessTests.tiff(
                [(273, 4, UInt32(strips), UInt32(arrays)), (279, 4, UInt32(strips), UInt32(arrays + 4 * strips))], data: data)
            + [UInt8](repeating: 0, count: strips)
        let source = CountingImageBytes(bytes)
        #expect(ImageCompleteness.problem(in: source) == nil)
        #expect(source.largestRead <= 64 * 1024)
        #expect(source.bytesRead < 2 * bytes.count)
    }
}
