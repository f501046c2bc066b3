import Foundation
import Glibc

/// Tells an image still being copied (or cut short) from a whole one, by
/// reading only its first and last bytes: a JPEG ends with its end-of-image
/// marker, a PNG with its `IEND` chunk, a GIF with its trailer, a TIFF's first
/// directory lies inside the file, BMP and WebP headers give the file size.
///
/// Files in other formats, or not images at all, are not judged.
public enum ImageCompleteness {
    /// Why the image at `path` (of `size` bytes) looks incomplete, or `nil`
    /// when it looks whole or its format is not judged.
    public static func problem(path: String, size: Int64) -> String? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return size > 0 ? nil : "the file is empty" }
        defer { close(descriptor) }
        return problem(descriptor: descriptor, size: size)
    }

    /// Why the image open as `descriptor` (of `size` bytes) looks
    /// incomplete, or `nil`; reads only with `pread`.
    public static func problem(descriptor: Int32, size: Int64) -> String? {
        guard size > 0 else { return "the file is empty" }
        let head = read(descriptor, offset: 0, count: Int(min(size, 16)))
        let tail = read(descriptor, offset: max(0, size - 16), count: Int(min(size, 16)))
        return problem(head: head, tail: tail, size: size, readAt: { read(descriptor, offset: $0, count: $1) })
    }

    /// The first bytes of each format judged.
    private static let signatures: [(format: String, bytes: [UInt8])] = [
        ("JPEG", [0xFF, 0xD8, 0xFF]), ("PNG", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), ("GIF", Array("GIF8".utf8)),
        ("TIFF", [0x49, 0x49, 0x2A, 0x00]), ("TIFF", [0x4D, 0x4D, 0x00, 0x2A]),
    ]

    static func problem(head: [UInt8], tail: [UInt8], size: Int64, readAt: (Int64, Int) -> [UInt8]) -> String? {
        if let cut = signatures.first(where: { head.count < $0.bytes.count && $0.bytes.starts(with: head) }) {
            return "truncated \(cut.format) (cut inside its signature, \(size) bytes)"
        }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            // Some cameras pad a JPEG with zeros after its end marker.
            let trimmed = tail.reversed().drop { $0 == 0 }.reversed()
            return trimmed.suffix(2).elementsEqual([0xFF, 0xD9]) ? nil : "truncated JPEG (no end-of-image marker)"
        }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return tail.suffix(12).elementsEqual([0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
                ? nil : "truncated PNG (no IEND chunk)"
        }
        if head.starts(with: Array("GIF8".utf8)) {
            return tail.last == 0x3B ? nil : "truncated GIF (no trailer)"
        }
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            let littleEndian = head[0] == 0x49
            guard head.count >= 8 else { return "truncated TIFF (no header)" }
            let offset = Int64(integer(head[4..<8], littleEndian: littleEndian))
            guard offset >= 8, offset + 2 <= size else { return "truncated TIFF (its directory is past the end of the file)" }
            let count = Int64(integer(readAt(offset, 2), littleEndian: littleEndian))
            guard offset + 2 + count * 12 + 4 <= size else { return "truncated TIFF (its directory is cut)" }
            let end = tiffDataEnd(entries: readAt(offset + 2, Int(count) * 12), littleEndian: littleEndian, readAt: readAt)
            return end <= size ? nil : "truncated TIFF (\(size) of \(end) bytes)"
        }
        if head.starts(with: Array("BM".utf8)), head.count >= 6 {
            let declared = Int64(integer(head[2..<6], littleEndian: true))
            return declared == 0 || declared <= size ? nil : "truncated BMP (\(size) of \(declared) bytes)"
        }
        if head.starts(with: Array("RIFF".utf8)), head.count >= 12, head[8..<12].elementsEqual(Array("WEBP".utf8)) {
            let declared = Int64(integer(head[4..<8], littleEndian: true)) + 8
            return declared <= size ? nil : "truncated WebP (\(size) of \(declared) bytes)"
        }
        return nil
    }

    /// Where the image data of a TIFF's first directory ends: the furthest
    /// strip (or tile) offset plus its byte count.
    private static func tiffDataEnd(entries: [UInt8], littleEndian: Bool, readAt: (Int64, Int) -> [UInt8]) -> Int64 {
        var offsets: [Int64] = []
        var counts: [Int64] = []
        for start in stride(from: 0, to: entries.count - 11, by: 12) {
            let entry = Array(entries[start..<start + 12])
            let tag = integer(entry[0..<2], littleEndian: littleEndian)
            guard tag == 273 || tag == 279 || tag == 324 || tag == 325 else { continue }
            let type = integer(entry[2..<4], littleEndian: littleEndian)
            let width = type == 3 ? 2 : 4
            let number = Int(integer(entry[4..<8], littleEndian: littleEndian))
            let bytes =
                number * width <= 4
                ? Array(entry[8..<8 + number * width])
                : readAt(Int64(integer(entry[8..<12], littleEndian: littleEndian)), number * width)
            let values = stride(from: 0, to: bytes.count - width + 1, by: width).map {
                Int64(integer(bytes[$0..<$0 + width], littleEndian: littleEndian))
            }
            if tag == 273 || tag == 324 { offsets = values } else { counts = values }
        }
        return zip(offsets, counts).map { $0 + $1 }.max() ?? 0
    }

    private static func integer(_ bytes: some Collection<UInt8>, littleEndian: Bool) -> UInt32 {
        let ordered = littleEndian ? Array(bytes.reversed()) : Array(bytes)
        return ordered.reduce(0) { $0 << 8 | UInt32($1) }
    }

    private static func read(_ descriptor: Int32, offset: Int64, count: Int) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: count)
        let got = pread(descriptor, &buffer, count, off_t(offset))
        return got > 0 ? Array(buffer.prefix(got)) : []
    }
}
