import Foundation
import NachetSync
import Testing

@Suite("JPEG: trailers are whole, cut files are not")
struct JPEGCompletenessTests {
    static let baseline = "complete-baseline.jpg"
    static let wholeFiles = [
        "complete-baseline.jpg", "complete-progressive.jpg", "complete-exif-thumbnail.jpg", "complete-restart-markers.jpg",
    ]

    @Test(arguments: wholeFiles)
    func bytesAfterTheEndMarkerLeaveAJPEGWhole(name: String) throws {
        let jpeg = try FuzzCorpus.seed(name)
        for trailer: [UInt8] in [Array("camera maker notes".utf8), [0xFF, 0xD8, 0xFF, 0xE1, 0x00], [UInt8](repeating: 0, count: 200)] {
            let problem = ImageCompleteness.problem(bytes: jpeg + trailer)
            #expect(problem == nil, "\(name) + \(trailer.count) bytes: \(problem ?? "")")
        }
    }

    @Test(arguments: wholeFiles)
    func everyCutOfAJPEGIsIncomplete(name: String) throws {
        let jpeg = try FuzzCorpus.seed(name)
        // Past the signature (a cut inside it is told apart by its own
        // message): every cut near the end, every 7th before.
        let cuts = Array(stride(from: 3, to: jpeg.count - 300, by: 7)) + Array(max(3, jpeg.count - 300)..<jpeg.count)
        let judgedWhole = cuts.filter { ImageCompleteness.problem(bytes: Array(jpeg.prefix($0))) == nil }
        #expect(judgedWhole.isEmpty, "\(name) cut at \(judgedWhole.prefix(5)) judged whole")
    }

    @Test func aJPEGCutRightAfterItsEXIFThumbnailIsIncomplete() throws {
        let cut = try FuzzCorpus.seed("truncated-after-exif-thumbnail.jpg")
        #expect(cut.suffix(2).elementsEqual([0xFF, 0xD9]), "the file ends with the thumbnail's end marker")
        #expect(ImageCompleteness.problem(bytes: cut)?.contains("truncated JPEG") == true)
    }

    @Test func segmentLengthsBelowTwoEndTheCheckWithAVerdict() throws {
        let jpeg = try FuzzCorpus.seed(Self.baseline)
        for length: [UInt8] in [[0, 0], [0, 1]] {
            let header: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + length
            #expect(ImageCompleteness.problem(bytes: header + Array(jpeg.dropFirst(2))) == nil, "judged by its last bytes")
            #expect(ImageCompleteness.problem(bytes: header + Array(jpeg.dropFirst(2).dropLast(2))) != nil)
            // The same lengths inside the entropy-coded data are skipped over.
            let scan = try #require(Self.offset(of: [0xFF, 0xDA], in: jpeg))
            let damaged = Array(jpeg[..<(scan + 20)]) + [0xFF, 0xC4] + length + Array(jpeg[(scan + 20)...]) + Array("tail".utf8)
            #expect(ImageCompleteness.problem(bytes: damaged) == nil)
        }
    }

    @Test func aJPEGOfFillBytesIsIncompleteAndQuicklyJudged() {
        let fill: [UInt8] = [0xFF, 0xD8] + [UInt8](repeating: 0xFF, count: 1 << 20)
        let started = ContinuousClock.now
        #expect(ImageCompleteness.problem(bytes: fill) != nil)
        let scan: [UInt8] = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02] + [UInt8](repeating: 0xFF, count: 1 << 20)
        #expect(ImageCompleteness.problem(bytes: scan) != nil)
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func aLongEntropyCodedScanWithStuffingAndRestartsIsWalkedToItsEnd() throws {
        let jpeg = try FuzzCorpus.seed(Self.baseline)
        let scan = try #require(Self.offset(of: [0xFF, 0xDA], in: jpeg))
        let length = Int(jpeg[scan + 2]) << 8 | Int(jpeg[scan + 3])
        var data: [UInt8] = []
        for index in 0..<(1 << 18) {
            switch index % 1000 {
            case 0: data += [0xFF, 0x00]
            case 500: data += [0xFF, 0xD0 + UInt8(index / 1000 % 8)]
            default: data.append(UInt8(truncatingIfNeeded: index * 7) & 0x7F)
            }
        }
        let whole = Array(jpeg[..<(scan + 2 + length)]) + data + [0xFF, 0xD9] + Array("trailer".utf8)
        #expect(ImageCompleteness.problem(bytes: whole) == nil)
        #expect(ImageCompleteness.problem(bytes: Array(whole.prefix(scan + 2 + length + data.count))) != nil)
    }

    static func offset(of pattern: [UInt8], in bytes: [UInt8]) -> Int? {
        (0...(bytes.count - pattern.count)).first { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }
}
