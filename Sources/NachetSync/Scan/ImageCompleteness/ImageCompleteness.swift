import Glibc

/// Tells an image still being copied (or cut short) from a whole one: a JPEG
/// holds its end-of-image marker, a PNG its `IEND` chunk, a GIF ends with its
/// trailer, a TIFF holds its directories and the strips they point to, BMP
/// and WebP headers give the file size.
///
/// The checks run in time bounded by the file's size and in constant memory,
/// whatever counts, offsets or lengths the file claims: they read through a
/// window of at most 64 KiB, never allocate from a claimed count, and most
/// files are judged from their first and last bytes alone. Bytes after a
/// JPEG's end marker or a PNG's `IEND` (trailers cameras and editors append)
/// do not make an image incomplete.
///
/// Files in other formats, or not images at all, are not judged here:
/// ``ImageContent`` tells them, by their first bytes.
package enum ImageCompleteness {
    /// Why the image at `path` (of `size` bytes) looks incomplete, or `nil`
    /// when it looks whole, its format is not judged, or it cannot be opened
    /// (a symbolic link, or no longer there: reading it will say).
    ///
    /// Opens the file with `O_NOFOLLOW | O_NONBLOCK`, so neither a link nor a
    /// FIFO is followed or waited on; ``problem(descriptor:size:)`` judges a
    /// file the caller already opened.
    package static func problem(path: String, size: Int64) -> String? {
        guard size > 0 else { return "the file is empty" }
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return problem(descriptor: descriptor, size: size)
    }

    /// Why the open file `descriptor` (of `size` bytes, as the caller listed
    /// it) looks incomplete, or `nil` when it looks whole or its format is
    /// not judged.
    ///
    /// Reads with `pread` only, so the descriptor's offset is left as it was,
    /// and never opens anything by path. Bytes past `size` are not looked at;
    /// a file that shrank since reads as cut.
    package static func problem(descriptor: Int32, size: Int64) -> String? {
        problem(in: DescriptorImageBytes(descriptor: descriptor, size: max(0, size)))
    }

    /// Why `bytes`, a whole file's content, look like an incomplete image, or
    /// `nil` when they look whole or are not in a judged format: the checks of
    /// ``problem(descriptor:size:)`` on memory, for tests and fuzzers.
    package static func problem(bytes: [UInt8]) -> String? {
        problem(in: MemoryImageBytes(bytes: bytes))
    }

    static func problem<Source: ImageBytes>(in source: Source) -> String? {
        let size = source.size
        guard size > 0 else { return "the file is empty" }
        let head = head(of: source)
        // Nothing readable (a FIFO, or a file emptied since it was listed):
        // not judged here; reading it to hash it will say what is wrong.
        guard !head.isEmpty else { return nil }
        if let unfinished = unfinished(head: head, size: size) { return unfinished }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            return JPEGCompleteness.problem(in: source)
        }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            return PNGCompleteness.problem(in: source)
        }
        if head.starts(with: Array("GIF8".utf8)) {
            var last: [UInt8] = [0]
            let read = last.withUnsafeMutableBytes { source.read(at: size - 1, into: $0) }
            return read == 1 && last[0] == 0x3B ? nil : "truncated GIF (no trailer)"
        }
        if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
            return TIFFCompleteness.problem(in: source, littleEndian: head[0] == 0x49)
        }
        if head.starts(with: Array("BM".utf8)), head.count >= 6 {
            let declared = Int64(littleEndianInteger(head[2..<6]))
            return declared == 0 || declared <= size ? nil : "truncated BMP (\(size) of \(declared) bytes)"
        }
        if head.starts(with: Array("RIFF".utf8)), head.count >= 12, head[8..<12].elementsEqual(Array("WEBP".utf8)) {
            let declared = Int64(littleEndianInteger(head[4..<8])) + 8
            return declared <= size ? nil : "truncated WebP (\(size) of \(declared) bytes)"
        }
        return nil
    }

    /// The first bytes of `source`, up to ``ImageFormat/headLength``: as
    /// many as it has, none when it cannot be read.
    static func head<Source: ImageBytes>(of source: Source) -> [UInt8] {
        var head = [UInt8](repeating: 0, count: Int(min(source.size, Int64(ImageFormat.headLength))))
        let got = head.withUnsafeMutableBytes { source.read(at: 0, into: $0) }
        head.removeLast(head.count - got)
        return head
    }

    /// Why a file of `size` bytes whose first bytes are `head` (not empty)
    /// is not finished whatever its format, or `nil`: it begins with zero
    /// bytes, or stops inside a format's signature.
    static func unfinished(head: [UInt8], size: Int64) -> String? {
        // No image format begins with eight zero bytes, but a copy that
        // reserved the file's size before writing it does (SMB and some
        // copy tools): judged unfinished, retried when the file changes.
        if head.count >= 8, head.prefix(8).allSatisfy({ $0 == 0 }) {
            return "no image data yet: the file begins with zero bytes, as a copy that reserved its size leaves it, or it is damaged"
        }
        if let cut = ImageFormat.signatures.first(where: { head.count < $0.bytes.count && $0.bytes.starts(with: head) }) {
            return "truncated \(cut.format) (cut inside its signature, \(size) bytes)"
        }
        return nil
    }

    private static func littleEndianInteger(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        bytes.reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
}
