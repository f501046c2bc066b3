import Glibc

/// Reads a file's bytes in order through one window of at most
/// ``windowSize`` bytes: a walk over a whole file costs one `pread` per
/// window, and never more memory than the window, whatever the file holds.
///
/// Every read reports the end of the bytes (`nil` or `false`) rather than
/// reading past ``ImageBytes/size``, and skips never read what they skip.
struct ByteCursor<Source: ImageBytes> {
    /// The most bytes held, and asked for in one read.
    static var windowSize: Int { 64 * 1024 }

    let source: Source
    /// The offset of the next byte to read.
    private(set) var position: Int64
    private var window: [UInt8]
    private var windowStart: Int64 = 0
    private var windowCount = 0

    /// Where the bytes read end: the source's size, or less.
    let end: Int64

    /// A cursor at `position`, reading up to `end` (the whole source when
    /// `nil`); its window is no larger than the bytes it may read.
    init(_ source: Source, at position: Int64 = 0, end: Int64? = nil) {
        self.source = source
        self.position = max(0, position)
        self.end = min(source.size, end ?? source.size)
        let readable = max(0, self.end - self.position)
        self.window = [UInt8](repeating: 0, count: Int(min(Int64(Self.windowSize), readable)))
    }

    /// How many bytes lie between ``position`` and the end.
    var remaining: Int64 { max(0, end - position) }

    /// Moves to `offset` without reading.
    mutating func seek(to offset: Int64) {
        position = max(0, offset)
    }

    /// Moves `count` bytes on without reading them; `false` when that is
    /// past the end (the cursor then stands at the end).
    mutating func skip(_ count: Int64) -> Bool {
        guard count <= remaining else {
            position = max(position, end)
            return false
        }
        position += max(0, count)
        return true
    }

    /// The byte at ``position``, which moves past it; `nil` at the end.
    mutating func readByte() -> UInt8? {
        guard loadWindow() else { return nil }
        let byte = window[Int(position - windowStart)]
        position += 1
        return byte
    }

    /// The next two bytes as an integer in the given byte order.
    mutating func readUInt16(littleEndian: Bool) -> UInt16? {
        guard let first = readByte(), let second = readByte() else { return nil }
        return littleEndian ? UInt16(second) << 8 | UInt16(first) : UInt16(first) << 8 | UInt16(second)
    }

    /// The next four bytes as an integer in the given byte order.
    mutating func readUInt32(littleEndian: Bool) -> UInt32? {
        guard let first = readUInt16(littleEndian: littleEndian), let second = readUInt16(littleEndian: littleEndian) else {
            return nil
        }
        return littleEndian ? UInt32(second) << 16 | UInt32(first) : UInt32(first) << 16 | UInt32(second)
    }

    /// Moves to the next byte equal to `byte`, without reading it; `false`
    /// when none is left (the cursor then stands at the end).
    mutating func advance(toNext byte: UInt8) -> Bool {
        while loadWindow() {
            let start = Int(position - windowStart)
            let found = window.withUnsafeBytes { bytes -> Int? in
                guard let base = bytes.baseAddress,
                    let match = memchr(base + start, Int32(byte), windowCount - start)
                else { return nil }
                return base.distance(to: UnsafeRawPointer(match))
            }
            if let found {
                position = windowStart + Int64(found)
                return true
            }
            position = windowStart + Int64(windowCount)
        }
        return false
    }

    /// Makes sure the byte at ``position`` is in the window; `false` at the
    /// end of the bytes, or when the file can no longer be read.
    private mutating func loadWindow() -> Bool {
        if position >= windowStart && position < windowStart + Int64(windowCount) { return true }
        guard position < end, !window.isEmpty else { return false }
        let (source, offset, wanted) = (self.source, position, Int(min(Int64(window.count), end - position)))
        let got = window.withUnsafeMutableBytes { source.read(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: $0[..<wanted])) }
        windowStart = position
        windowCount = got
        return got > 0
    }
}
