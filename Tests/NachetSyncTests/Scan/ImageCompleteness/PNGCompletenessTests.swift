import Foundation
import NachetSync
import Testing

@Suite("PNG: trailers are whole, cut files are not")
struct PNGCompletenessTests {
    @Test(arguments: ["complete-example.png", "complete-tiny.png"])
    func bytesAfterIENDLeaveAPNGWhole(name: String) throws {
        let png = try FuzzCorpus.seed(name)
        #expect(ImageCompleteness.problem(bytes: png + Array("trailer".utf8)) == nil)
        #expect(ImageCompleteness.problem(bytes: png + [UInt8](repeating: 0, count: 3)) == nil)
    }

    @Test(arguments: ["complete-example.png", "complete-tiny.png"])
    func everyCutOfAPNGIsIncomplete(name: String) throws {
        let png = try FuzzCorpus.seed(name)
        let cuts = Array(stride(from: 8, to: png.count - 100, by: 7)) + Array(max(8, png.count - 100)..<png.count)
        let judgedWhole = cuts.filter { ImageCompleteness.problem(bytes: Array(png.prefix($0))) == nil }
        #expect(judgedWhole.isEmpty, "\(name) cut at \(judgedWhole.prefix(5)) judged whole")
    }

    @Test func aChunkLengthPastTheEndIsIncomplete() throws {
        let png = try FuzzCorpus.seed("complete-tiny.png")
        let header = Array(png.prefix(33))
        for length: [UInt8] in [[0, 0, 0x10, 0], [0x7F, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF]] {
            let bytes = header + length + Array("IDAT".utf8) + [UInt8](repeating: 1, count: 64)
            #expect(ImageCompleteness.problem(bytes: bytes) == "truncated PNG (no IEND chunk)")
        }
    }

    @Test func manyEmptyChunksAreWalkedQuickly() throws {
        let png = try FuzzCorpus.seed("complete-tiny.png")
        let empty: [UInt8] = [0, 0, 0, 0] + Array("tEXt".utf8) + [0, 0, 0, 0]
        let chunks = Array([[UInt8]](repeating: empty, count: 100_000).joined())
        let bytes = Array(png.prefix(33)) + chunks + Array(png.suffix(12)) + Array("tail".utf8)
        let started = ContinuousClock.now
        #expect(ImageCompleteness.problem(bytes: bytes) == nil)
        #expect(ImageCompleteness.problem(bytes: Array(png.prefix(33)) + chunks) != nil)
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}
