/// Whether a JPEG holds its end-of-image marker (`FFD9`), found by
/// following the file's structure rather than by looking at its last bytes
/// alone, so that bytes after the marker (cameras and editors append such
/// trailers) do not make a whole image look cut, and a thumbnail's own
/// end-of-image marker does not make a cut one look whole.
///
/// A JPEG is a start-of-image marker, header segments each giving its
/// length (an EXIF `APP1` segment may hold a whole thumbnail JPEG), then
/// one or more scans: a start-of-scan segment and its entropy-coded data,
/// in which a `FF` byte is always followed by `00` (stuffing), a restart
/// marker, more `FF` fill bytes, or the next marker.
enum JPEGCompleteness {
    static let noEnd = "truncated JPEG (no end-of-image marker)"

    /// Why the JPEG looks cut short, or `nil` when it holds its end marker.
    static func problem<Source: ImageBytes>(in source: Source) -> String? {
        var cursor = ByteCursor(source, at: 2)
        switch walkHeader(&cursor) {
        case .endOfImage:
            return nil
        case .cut:
            return "truncated JPEG (cut inside its header)"
        case .unreadable:
            // Not a structure this walk knows: judged by its last bytes, as
            // before it existed.
            return endsWithEndOfImage(source, notBefore: 0) ? nil : noEnd
        case .scanData(let start):
            // Fast path: the file ends with the marker (maybe then zeros),
            // and past the first scan's header, where FFD9 can only be the
            // end-of-image marker.
            if endsWithEndOfImage(source, notBefore: start) { return nil }
            return findsEndOfImage(&cursor) ? nil : noEnd
        }
    }

    private enum HeaderEnd {
        /// The first scan's entropy-coded data starts at this offset.
        case scanData(start: Int64)
        /// An end-of-image marker before any scan (a tables-only JPEG).
        case endOfImage
        /// The bytes end inside the header.
        case cut
        /// Something other than a marker where one must be, or a segment
        /// length below 2.
        case unreadable
    }

    /// Walks the markers after the start-of-image marker up to the first
    /// scan's data, skipping each segment by its length.
    private static func walkHeader<Source>(_ cursor: inout ByteCursor<Source>) -> HeaderEnd {
        while true {
            guard let byte = cursor.readByte() else { return .cut }
            guard byte == 0xFF else { return .unreadable }
            guard let marker = readMarker(&cursor) else { return .cut }
            switch marker {
            case 0xD9:
                return .endOfImage
            case 0x01, 0xD0...0xD7:
                continue
            case 0x00, 0xD8:
                return .unreadable
            default:
                guard let length = cursor.readUInt16(littleEndian: false) else { return .cut }
                guard length >= 2 else { return .unreadable }
                guard cursor.skip(Int64(length) - 2) else { return .cut }
                if marker == 0xDA { return .scanData(start: cursor.position) }
            }
        }
    }

    /// Walks entropy-coded data, and the segments and scans after it, to the
    /// end-of-image marker; `false` when the bytes end first.
    private static func findsEndOfImage<Source>(_ cursor: inout ByteCursor<Source>) -> Bool {
        while cursor.advance(toNext: 0xFF) {
            _ = cursor.readByte()
            guard let marker = readMarker(&cursor) else { return false }
            switch marker {
            case 0xD9:
                return true
            case 0x00, 0x01, 0xD0...0xD8:
                // Stuffing, restart markers and stray markers without a length.
                continue
            default:
                // A table or the next scan's header, skipped by its length;
                // a length below 2 is damage, and the search goes on after it.
                guard let length = cursor.readUInt16(littleEndian: false) else { return false }
                if length >= 2 && !cursor.skip(Int64(length) - 2) { return false }
            }
        }
        return false
    }

    /// The marker code after a `FF`, past any `FF` fill bytes.
    private static func readMarker<Source>(_ cursor: inout ByteCursor<Source>) -> UInt8? {
        while let byte = cursor.readByte() {
            if byte != 0xFF { return byte }
        }
        return nil
    }

    /// Whether the last bytes, zeros dropped, are `FFD9` with the `FF` at
    /// `notBefore` or after.
    private static func endsWithEndOfImage<Source: ImageBytes>(_ source: Source, notBefore: Int64) -> Bool {
        let tailSize = Int(min(source.size, 32))
        let tailStart = source.size - Int64(tailSize)
        var tail = [UInt8](repeating: 0, count: tailSize)
        let got = tail.withUnsafeMutableBytes { source.read(at: tailStart, into: $0) }
        guard got == tailSize, let last = tail.lastIndex(where: { $0 != 0 }), last >= 1 else { return false }
        return tail[last - 1] == 0xFF && tail[last] == 0xD9 && tailStart + Int64(last - 1) >= notBefore
    }
}
