import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// ``ImageContent``: what a file's bytes are, told from its first bytes and
/// its completeness, whatever its name.
@Suite("Image content: images of the formats stored, and what is not one")
struct ImageContentTests {
    static let examples = TestPython.repository.appendingPathComponent("examples/drop/canola-2026-11-03")

    @Test(arguments: [("IMG_0001.png", ImageFormat.png), ("IMG_0002.jpg", .jpeg), ("IMG_0003.tif", .tiff)])
    func theExampleImagesAreWholeImagesOfTheirFormat(name: String, format: ImageFormat) throws {
        let bytes = [UInt8](try Data(contentsOf: Self.examples.appendingPathComponent(name)))
        #expect(ImageContent.verdict(bytes: bytes) == .image(format))
    }

    @Test func theCorpusBitmapGIFAndWebPAreWholeImagesOfTheirFormat() throws {
        #expect(ImageContent.verdict(bytes: try FuzzCorpus.seed("complete.bmp")) == .image(.bmp))
        #expect(ImageContent.verdict(bytes: try FuzzCorpus.seed("complete.gif")) == .image(.gif))
        #expect(ImageContent.verdict(bytes: try FuzzCorpus.seed("complete.webp")) == .image(.webp))
    }

    @Test func textIsNoImageWhateverItBeginsWith() {
        let cases: [(String, String)] = [
            ("hello, this is a text file\n", "it begins with the text \"hello, this is a…\""),
            ("BM is how this text begins, a bitmap's two letters", "it begins with the text \"BM is how this t…\""),
            ("GIF8 and then no version", "it begins with the text \"GIF8 and then no…\""),
            ("RIFF....WAVEfmt and more", "it begins with the text \"RIFF....WAVEfmt …\""),
        ]
        for (text, said) in cases {
            let verdict = ImageContent.verdict(bytes: Array(text.utf8))
            #expect(verdict == .notAnImage("its bytes are no JPEG, PNG, GIF, TIFF, BMP or WebP image: " + said), "\(text)")
        }
    }

    @Test func unfinishedFilesAreToldFromOnesThatAreNoImage() {
        #expect(ImageContent.verdict(bytes: []) == .unfinished("the file is empty"))
        #expect(ImageContent.verdict(bytes: [UInt8](repeating: 0, count: 500)).problem?.hasPrefix("no image data yet") == true)
        #expect(ImageContent.verdict(bytes: [0x89, 0x50, 0x4E]) == .unfinished("truncated PNG (cut inside its signature, 3 bytes)"))
        let png = [UInt8](DropFolderBuilder.imageBytes(seed: 1, size: 2000))
        #expect(ImageContent.verdict(bytes: png) == .image(.png))
        guard case .unfinished(let problem) = ImageContent.verdict(bytes: Array(png.prefix(1500))) else {
            Issue.record("a cut PNG is unfinished")
            return
        }
        #expect(problem.contains("truncated PNG"))
        #expect(ImageContent.verdict(bytes: [0x00, 0xFF, 0x10, 0x20, 0x30]) == .notAnImage(
            "its bytes are no JPEG, PNG, GIF, TIFF, BMP or WebP image: it begins with the bytes 00 FF 10 20 30"))
    }

    @Test func aDescriptorAndMemoryGiveOneVerdict() throws {
        let directory = TemporaryDirectory()
        for (index, bytes) in [Array("plain text".utf8), [UInt8](DropFolderBuilder.imageBytes(seed: 2, size: 700)), [UInt8](repeating: 0, count: 64)].enumerated() {
            let path = directory.appending("file-\(index)")
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let descriptor = open(path, O_RDONLY)
            defer { close(descriptor) }
            #expect(ImageContent.verdict(descriptor: descriptor, size: Int64(bytes.count)) == ImageContent.verdict(bytes: bytes))
        }
    }
}
