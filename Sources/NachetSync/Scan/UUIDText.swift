import Foundation

/// UUIDs to and from their 36-character text (`8-4-4-4-12` hex digits).
///
/// Foundation on Linux reads and writes that text with `sscanf` and
/// `snprintf`, which cost more than the rest of a state record: a restart
/// or a datastore check over 100,000 files would pay that 100,000 times.
enum UUIDText {
    private static let digits = Array("0123456789abcdef".utf8)

    /// The UUID `text` holds (either case), or `nil`.
    static func parse(_ text: String) -> UUID? {
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let parsed = withUnsafeMutableBytes(of: &value) { bytes -> Bool in
            var position = 0
            var index = 0
            var high: UInt8?
            for character in text.utf8 {
                defer { position += 1 }
                if position == 8 || position == 13 || position == 18 || position == 23 {
                    guard character == UInt8(ascii: "-") else { return false }
                    continue
                }
                guard index < 16, let nibble = nibble(character) else { return false }
                if let first = high {
                    bytes[index] = first << 4 | nibble
                    index += 1
                    high = nil
                } else {
                    high = nibble
                }
            }
            return position == 36 && index == 16
        }
        return parsed ? UUID(uuid: value) : nil
    }

    /// The lower-case text of `id`.
    static func lowercased(_ id: UUID) -> String {
        withUnsafeBytes(of: id.uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var position = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[position] = UInt8(ascii: "-")
                        position += 1
                    }
                    text[position] = digits[Int(byte >> 4)]
                    text[position + 1] = digits[Int(byte & 0xf)]
                    position += 2
                }
                return position
            }
        }
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
