/// Whether a TIFF holds every directory and every strip or tile its
/// directories point to.
///
/// A TIFF is an 8-byte header pointing to its first directory (IFD); each
/// directory is a 2-byte entry count, 12-byte entries and the offset of the
/// next directory (0 for none). The entries `StripOffsets` (273) /
/// `StripByteCounts` (279), or `TileOffsets` (324) / `TileByteCounts` (325),
/// locate the image data: the file must reach the furthest offset plus its
/// byte count.
///
/// Nothing is allocated from a count the file claims: the offset and byte
/// count arrays are read side by side through two cursors, an array that
/// would reach past the end of the file is a cut file before it is read,
/// and the work done over all directories is bounded by the file's size (a
/// directory chain that loops, or arrays shared between directories, stop
/// the walk there).
enum TIFFCompleteness {
    /// Why the TIFF looks cut short, or `nil` when it looks whole.
    static func problem<Source: ImageBytes>(in source: Source, littleEndian: Bool) -> String? {
        let size = source.size
        var cursor = ByteCursor(source, at: 4)
        guard let first = cursor.readUInt32(littleEndian: littleEndian) else { return "truncated TIFF (no header)" }
        guard first >= 8 else { return "damaged TIFF (its first directory offset, \(first), points into its header)" }
        // Work left, in bytes looked at: a file's directories and arrays
        // take its bytes once each, so twice the size is never reached by a
        // real file, and bounds the time a crafted one takes.
        var budget = 2 * size + 1024
        var next = Int64(first)
        var number = 1
        while next != 0 && budget > 0 {
            guard next + 2 <= size else {
                return number == 1
                    ? "truncated TIFF (its directory is past the end of the file)"
                    : "truncated TIFF (directory \(number) is past the end of the file)"
            }
            cursor.seek(to: next)
            guard let count = cursor.readUInt16(littleEndian: littleEndian) else { return "truncated TIFF (its directory is cut)" }
            guard next + 2 + Int64(count) * 12 + 4 <= size else { return "truncated TIFF (its directory is cut)" }
            let directory = readDirectory(&cursor, entries: Int(count), littleEndian: littleEndian)
            budget -= 6 + Int64(count) * 12
            if let end = directory.reach, end > size { return "truncated TIFF (\(size) of \(end) bytes)" }
            let dataEnd = dataEnd(of: directory, in: source, littleEndian: littleEndian, budget: &budget)
            if dataEnd > size { return "truncated TIFF (\(size) of \(dataEnd) bytes)" }
            guard let following = cursor.readUInt32(littleEndian: littleEndian) else { return "truncated TIFF (its directory is cut)" }
            // An offset into the header is damage, not a directory: the walk stops.
            next = following >= 8 ? Int64(following) : 0
            number += 1
        }
        return nil
    }

    /// Where a directory's array of values lies in the file: in the entry
    /// itself when it fits in 4 bytes, else at the offset the entry gives.
    struct ValueArray {
        var offset: Int64
        var count: Int64
        var width: Int

        var end: Int64 { offset + count * Int64(width) }
    }

    /// The data-locating entries of one directory.
    struct Directory {
        var offsets: ValueArray?
        var byteCounts: ValueArray?

        /// How far into the file its arrays reach, when it has any.
        var reach: Int64? { [offsets?.end, byteCounts?.end].compactMap { $0 }.max() }
    }

    /// Reads a directory's entries, keeping where its offset and byte count
    /// arrays lie (the last of each, as before this walk existed).
    private static func readDirectory<Source>(
        _ cursor: inout ByteCursor<Source>, entries: Int, littleEndian: Bool
    ) -> Directory {
        var directory = Directory()
        for _ in 0..<entries {
            let entryStart = cursor.position
            guard let tag = cursor.readUInt16(littleEndian: littleEndian),
                let type = cursor.readUInt16(littleEndian: littleEndian),
                let count = cursor.readUInt32(littleEndian: littleEndian),
                let value = cursor.readUInt32(littleEndian: littleEndian)
            else { break }
            guard tag == 273 || tag == 279 || tag == 324 || tag == 325 else { continue }
            // SHORT or LONG values; other types are not judged.
            let width = type == 3 ? 2 : type == 4 ? 4 : 0
            guard width > 0 else { continue }
            let inline = Int64(count) * Int64(width) <= 4
            let array = ValueArray(offset: inline ? entryStart + 8 : Int64(value), count: Int64(count), width: width)
            if tag == 273 || tag == 324 { directory.offsets = array } else { directory.byteCounts = array }
        }
        return directory
    }

    /// The furthest offset plus byte count of a directory's strips or tiles,
    /// read a window at a time from both arrays.
    private static func dataEnd<Source: ImageBytes>(
        of directory: Directory, in source: Source, littleEndian: Bool, budget: inout Int64
    ) -> Int64 {
        guard let offsets = directory.offsets, let byteCounts = directory.byteCounts else { return 0 }
        let pairWidth = Int64(offsets.width + byteCounts.width)
        let pairs = min(offsets.count, byteCounts.count, max(0, budget) / pairWidth)
        budget -= pairs * pairWidth
        var offsetCursor = ByteCursor(source, at: offsets.offset, end: offsets.end)
        var countCursor = ByteCursor(source, at: byteCounts.offset, end: byteCounts.end)
        var end: Int64 = 0
        for _ in 0..<pairs {
            guard let offset = readValue(&offsetCursor, width: offsets.width, littleEndian: littleEndian),
                let count = readValue(&countCursor, width: byteCounts.width, littleEndian: littleEndian)
            else { break }
            end = max(end, offset + count)
        }
        return end
    }

    private static func readValue<Source>(_ cursor: inout ByteCursor<Source>, width: Int, littleEndian: Bool) -> Int64? {
        width == 2
            ? cursor.readUInt16(littleEndian: littleEndian).map(Int64.init)
            : cursor.readUInt32(littleEndian: littleEndian).map(Int64.init)
    }
}
