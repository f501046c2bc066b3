/// Whether a PNG holds its `IEND` chunk, found by walking its chunks when the
/// file does not simply end with it, so that bytes after `IEND` (a trailer
/// some tools append) do not make a whole image look cut.
///
/// A PNG is its 8-byte signature, then chunks: a 4-byte length (at most
/// 2³¹ − 1), a 4-byte type, the data and a 4-byte CRC.
enum PNGCompleteness {
    static let noEnd = "truncated PNG (no IEND chunk)"

    /// The `IEND` chunk as every PNG ends it: no data, and its fixed CRC.
    static let endChunk: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    /// Why the PNG looks cut short, or `nil` when it holds its `IEND` chunk.
    static func problem<Source: ImageBytes>(in source: Source) -> String? {
        if endsWithEndChunk(source) { return nil }
        var cursor = ByteCursor(source, at: 8)
        // Each chunk takes 12 bytes or more, so the walk ends within the file.
        while let length = cursor.readUInt32(littleEndian: false), let type = cursor.readUInt32(littleEndian: false) {
            guard length <= 0x7FFF_FFFF else { return noEnd }
            guard cursor.skip(Int64(length) + 4) else { return noEnd }
            if type == 0x4945_4E44 { return nil }
        }
        return noEnd
    }

    private static func endsWithEndChunk<Source: ImageBytes>(_ source: Source) -> Bool {
        guard source.size >= 8 + Int64(endChunk.count) else { return false }
        var tail = [UInt8](repeating: 0, count: endChunk.count)
        let got = tail.withUnsafeMutableBytes { source.read(at: source.size - Int64(endChunk.count), into: $0) }
        return got == endChunk.count && tail == endChunk
    }
}
