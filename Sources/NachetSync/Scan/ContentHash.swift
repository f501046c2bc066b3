import Foundation

/// The SHA-256 of a file's bytes: the identity of a picture inside its set.
///
/// Kept as the 32 bytes themselves (four words, no heap allocation): the
/// state holds one per file, and a restart loads every one of a folder.
package struct ContentHash: Hashable, Sendable, CustomStringConvertible {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    /// Wraps a hexadecimal digest, or returns `nil` when `hex` is not 64 hex digits.
    package init?(hex: String) {
        // Straight into the four words, no array: a restart reads one per file.
        var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var count = 0
        for character in hex.utf8 {
            guard count < 64, let nibble = Self.nibble(character) else { return nil }
            let value = UInt64(nibble)
            switch count / 16 {
            case 0: words.0 = words.0 << 4 | value
            case 1: words.1 = words.1 << 4 | value
            case 2: words.2 = words.2 << 4 | value
            default: words.3 = words.3 << 4 | value
            }
            count += 1
        }
        guard count == 64 else { return nil }
        self.words = words
    }

    init(digest: some Sequence<UInt8>) {
        var words: [UInt64] = [0, 0, 0, 0]
        for (index, byte) in digest.prefix(32).enumerated() {
            words[index / 8] |= UInt64(byte) << (56 - 8 * UInt64(index % 8))
        }
        self.words = (words[0], words[1], words[2], words[3])
    }

    /// The 64 lower-case hexadecimal digits of the digest.
    package var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for word in [words.0, words.1, words.2, words.3] {
            for shift in stride(from: 60, through: 0, by: -4) {
                text.append(digits[Int((word >> UInt64(shift)) & 0xf)])
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    package var description: String { hex }

    package static func == (lhs: ContentHash, rhs: ContentHash) -> Bool {
        lhs.words == rhs.words
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return character - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
