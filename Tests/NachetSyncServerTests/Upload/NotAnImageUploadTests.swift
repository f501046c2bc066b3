import Foundation
import NIOHTTP1
import NachetSync
import NachetSyncTestSupport
import Testing

/// Uploads whose bytes are no image, or an unfinished one: refused by both
/// upload routes, whether the server keeps the body in memory or spools it,
/// and nothing stored (before, `serve` stored a text file, zeros and a cut
/// PNG as pictures: AI training data).
@Suite("serve: uploads that are not images")
struct NotAnImageUploadTests {
    /// Deterministic bytes of no format.
    static func noise(_ count: Int) -> Data {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        return Data((0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56) | 0x01
        })
    }

    /// Each case: what it is, its bytes, and what the refusal says.
    static let cases: [(String, Data, String)] = [
        ("text", Data(String(repeating: "These are notes, not a picture.\n", count: 40).utf8), "it begins with the text \"These are notes,…\""),
        ("zeros", Data(count: 4096), "no image data yet: the file begins with zero bytes"),
        ("cut PNG", DropFolderBuilder.imageBytes(seed: 7, size: 9000).prefix(6000), "truncated PNG"),
        ("random", noise(3000), "its bytes are no JPEG, PNG, GIF, TIFF, BMP or WebP image: it begins with the bytes "),
        // Over 4 MiB: through the spool.
        ("large random", noise(5 << 20), "its bytes are no JPEG, PNG, GIF, TIFF, BMP or WebP image"),
        ("large cut PNG", DropFolderBuilder.imageBytes(seed: 8, size: 5 << 20).prefix((5 << 20) - 100), "truncated PNG"),
    ]

    @Test(arguments: ServerHarness.backends)
    func bytesThatAreNoImageAreRefusedByBothRoutesAndNothingIsStored(backends: Backends) async throws {
        try await ServerHarness.with(backends) { harness in
            let session = try await harness.newSession()
            let raw = UploadPictureRawRouteTests.query(harness, session: session)
            for (what, bytes, said) in Self.cases {
                let answers = [
                    try await harness.send(.POST, raw, body: bytes, headers: [("X-Content-SHA256", bytes.sha256)]),
                    try await harness.post("/upload-picture", harness.uploadFields(session: session, bytes: bytes)),
                ]
                for answer in answers {
                    #expect(answer.status == 400, "\(what): \(answer.text.prefix(300))")
                    #expect(answer.errorCode == "not-an-image", "\(what)")
                    let message = answer.message ?? ""
                    #expect(message.hasPrefix("API Error uploading picture : not an image: "), "\(what): \(message)")
                    #expect(message.contains(said), "\(what): \(message)")
                    #expect(message.hasSuffix("send the image file itself, whole (JPEG, PNG, GIF, TIFF, BMP or WebP); nothing was stored"))
                }
            }
            for answer in [
                try await harness.send(.POST, raw, body: Data(), headers: [("X-Content-SHA256", Data().sha256)]),
                try await harness.post("/upload-picture", harness.uploadFields(session: session, bytes: Data())),
            ] {
                #expect(answer.status == 400 && answer.message?.hasSuffix("the image is empty") == true, "\(answer.text)")
            }
            #expect(try await harness.datastore.rowCount("picture") == 0)
            #expect(harness.datastore.pictureBlobNames().isEmpty)

            // A whole image beside them is stored.
            let image = DropFolderBuilder.imageBytes(seed: 9, size: 9000)
            let stored = try await harness.send(.POST, raw, body: image, headers: [("X-Content-SHA256", image.sha256)])
            #expect(stored.status == 200, "\(stored.text)")
            #expect(try await harness.datastore.rowCount("picture") == 1)
        }
    }
}
