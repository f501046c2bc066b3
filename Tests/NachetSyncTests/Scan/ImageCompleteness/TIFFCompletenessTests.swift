import Foundation
import NachetSync
import Testing

@Suite("TIFF: claimed counts and offsets cost no more than the file")
struct TIFFCompletenessTests {
    /// A little-endian TIFF: its header, one directory at 8 with `entries`
    /// (tag, type, count, value) and `next` as the next directory's offset,
    /// then `data`.
    static func tiff(_ entries: [(UInt16, UInt16, UInt32, UInt32)], next: UInt32 = 0, data: [UInt8] = []) -> [UInt8] {
        var bytes: [UInt8] = Array("II*\0".utf8) + le(UInt32(8)) + le(UInt16(entries.count))
        for (tag, type, count, value) in entries { bytes += le(tag) + le(type) + le(count) + le(value) }
        return bytes + le(next) + data
    }

    static func le<Integer: FixedWidthInteger>(_ value: Integer) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    @Test func theCrafted26ByteTIFFWithTwoToThe31StripsIsTruncated() {
        let crafted = Self.tiff([(273, 4, 1 << 31, 0)])
        #expect(crafted.count == 26)
        #expect(ImageCompleteness.problem(bytes: crafted) == "truncated TIFF (26 of 8589934592 bytes)")
    }

    @Test func hugeCountsAndOffsetsAreJudgedQuickly() {
        let cases: [[UInt8]] = [
            Self.tiff([(273, 4, .max, 8), (279, 4, .max, 8)]),
            Self.tiff([(273, 3, .max, 8), (279, 3, .max, 8)]),
            Self.tiff([(324, 4, 1 << 30, .max), (325, 4, 1 << 30, .max)]),
            Self.tiff([(273, 4, 1, .max), (279, 4, 1, .max)]),
            Self.tiff([(273, 4, 2, .max - 3), (279, 4, 2, 8)]),
        ]
        let started = ContinuousClock.now
        for bytes in cases {
            let problem = ImageCompleteness.problem(bytes: bytes)
            #expect(problem?.hasPrefix("truncated TIFF (\(bytes.count) of ") == true, "\(problem ?? "judged whole")")
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    @Test func manyStripsTheFileHoldsAreReadThroughToTheirEnd() {
        let strips = 1 << 17
        let arrays = 8 + 2 + 2 * 12 + 4
        let dataStart = arrays + 8 * strips
        var data: [UInt8] = []
        data.reserveCapacity(8 * strips + strips)
        for index in 0..<strips { data += Self.le(UInt32(dataStart + index)) }
        for _ in 0..<strips { data += Self.le(UInt32(1)) }
        let whole = Self.tiff([(273, 4, UInt32(strips), UInt32(arrays)), (279, 4, UInt32(strips), UInt32(arrays + 4 * strips))], data: data)
            + [UInt8](repeating: 7, count: strips)
        let started = ContinuousClock.now
        #expect(ImageCompleteness.problem(bytes: whole) == nil)
        #expect(ImageCompleteness.problem(bytes: Array(whole.dropLast())) == "truncated TIFF (\(whole.count - 1) of \(whole.count) bytes)")
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func aDirectoryChainThatLoopsEnds() {
        let onItself = Self.tiff([(273, 4, 1, 40), (279, 4, 1, 4)], next: 8, data: [UInt8](repeating: 0, count: 8))
        #expect(ImageCompleteness.problem(bytes: onItself) == nil)
        // Two directories pointing at each other, the second one's strip cut.
        var pair = Self.tiff([(273, 4, 1, 60), (279, 4, 1, 4)], next: 38)
        pair += Self.le(UInt16(2)) + Self.le(UInt16(273)) + Self.le(UInt16(4)) + Self.le(UInt32(1)) + Self.le(UInt32(60))
        pair += Self.le(UInt16(279)) + Self.le(UInt16(4)) + Self.le(UInt32(1)) + Self.le(UInt32(100)) + Self.le(UInt32(8))
        pair += [UInt8](repeating: 0, count: 72 - pair.count)
        #expect(ImageCompleteness.problem(bytes: pair) == "truncated TIFF (72 of 160 bytes)")
    }

    @Test func aLaterDirectoryPastTheEndIsACutFile() {
        let cut = Self.tiff([(273, 4, 1, 38), (279, 4, 1, 4)], next: 5000, data: [UInt8](repeating: 0, count: 8))
        #expect(ImageCompleteness.problem(bytes: cut) == "truncated TIFF (directory 2 is past the end of the file)")
    }

    @Test func aDirectoryCountPastTheEndIsACutFile() {
        var bytes = Self.tiff([])
        bytes.replaceSubrange(8..<10, with: Self.le(UInt16.max))
        #expect(ImageCompleteness.problem(bytes: bytes) == "truncated TIFF (its directory is cut)")
    }
}
