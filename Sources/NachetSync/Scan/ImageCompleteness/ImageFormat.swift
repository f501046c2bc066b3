/// The image formats nachet-sync stores, told by their first bytes: those of
/// Nachet's default `NACHET_VALID_EXTENSION` (JPEG, PNG, GIF, TIFF, BMP,
/// WebP), which Nachet's own import opens and its models read.
///
/// A file's name says nothing of what it holds: a text file named `.png`
/// is told by its bytes (``ImageContent``).
package enum ImageFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    case jpeg = "JPEG"
    case png = "PNG"
    case gif = "GIF"
    case tiff = "TIFF"
    case bmp = "BMP"
    case webp = "WebP"

    package var description: String { rawValue }

    /// The formats, as messages list them: "JPEG, PNG, GIF, TIFF, BMP or WebP".
    package static let listed = allCases.dropLast().map(\.rawValue).joined(separator: ", ") + " or " + (allCases.last?.rawValue ?? "")

    /// How many first bytes ``init(head:)`` needs to tell every format.
    static let headLength = 32

    /// The magic numbers: the fixed first bytes of the formats that begin
    /// with bytes no text does (a TIFF has two byte orders). A file that
    /// holds only part of one was cut inside it.
    static let signatures: [(format: ImageFormat, bytes: [UInt8])] = [
        (.jpeg, [0xFF, 0xD8, 0xFF]), (.png, [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), (.gif, Array("GIF8".utf8)),
        (.tiff, [0x49, 0x49, 0x2A, 0x00]), (.tiff, [0x4D, 0x4D, 0x00, 0x2A]),
    ]

    /// The sizes a BMP's DIB header has, one per version of the format
    /// (OS/2 1.x, Windows 3 to 5): after the two letters `BM`, which text
    /// may begin with too, the one field that says "bitmap".
    private static let bitmapHeaderSizes: Set<UInt32> = [12, 40, 52, 56, 64, 108, 124]

    /// The format whose signature `head` (a file's first bytes, as many as
    /// it has up to ``headLength``) begins with, or `nil` when it is none:
    /// a magic number (``signatures``; a GIF's with its version, `87a` or
    /// `89a`), or, for the formats that begin with letters (`BM`, `RIFF`),
    /// the header field after them that names the format.
    init?(head: [UInt8]) {
        if let magic = Self.signatures.first(where: { head.starts(with: $0.bytes) }) {
            guard magic.format != .gif || head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) else { return nil }
            self = magic.format
        } else if head.starts(with: Array("BM".utf8)), head.count >= 18,
            Self.bitmapHeaderSizes.contains(head[14..<18].reversed().reduce(0) { $0 << 8 | UInt32($1) })
        {
            self = .bmp
        } else if head.starts(with: Array("RIFF".utf8)), head.count >= 12, head[8..<12].elementsEqual(Array("WEBP".utf8)) {
            self = .webp
        } else {
            return nil
        }
    }
}
