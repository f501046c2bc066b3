extension JSONParser {
    /// The text as UTF-8 without a byte order mark: UTF-8 as it is, UTF-16
    /// and UTF-32 (told by their byte order mark, or by the zero bytes of
    /// their first character, as RFC 4627 describes) transcoded.
    /// - Throws: ``JSONParseError`` when UTF-16 or UTF-32 text is not well formed.
    static func utf8(_ bytes: [UInt8]) throws(JSONParseError) -> [UInt8] {
        let encoding = Self.encoding(of: bytes)
        let utf8: [UInt8]
        switch encoding {
        case .utf8:
            return bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        case .utf16(let littleEndian):
            let units = stride(from: 0, to: bytes.count - 1, by: 2).lazy.map { offset -> UInt16 in
                let (low, high) = littleEndian ? (bytes[offset], bytes[offset + 1]) : (bytes[offset + 1], bytes[offset])
                return UInt16(high) << 8 | UInt16(low)
            }
            utf8 = try transcoded(units, from: UTF16.self, oddBytes: bytes.count % 2)
        case .utf32(let littleEndian):
            let units = stride(from: 0, to: bytes.count - 3, by: 4).lazy.map { offset -> UInt32 in
                let group = bytes[offset..<offset + 4]
                return (littleEndian ? group.reversed() : Array(group)).reduce(0) { $0 << 8 | UInt32($1) }
            }
            utf8 = try transcoded(units, from: UTF32.self, oddBytes: bytes.count % 4)
        }
        return utf8.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(utf8.dropFirst(3)) : utf8
    }

    private enum TextEncoding: Equatable {
        case utf8
        case utf16(littleEndian: Bool)
        case utf32(littleEndian: Bool)
    }

    private static func encoding(of bytes: [UInt8]) -> TextEncoding {
        let head = Array(bytes.prefix(4)) + [UInt8](repeating: 0xFF, count: max(0, 4 - bytes.count))
        switch (head[0], head[1], head[2], head[3]) {
        case (0xEF, 0xBB, 0xBF, _): return .utf8
        case (0x00, 0x00, 0xFE, 0xFF), (0x00, 0x00, 0x00, 0x01...): return .utf32(littleEndian: false)
        case (0xFF, 0xFE, 0x00, 0x00), (0x01..., 0x00, 0x00, 0x00): return bytes.count >= 4 ? .utf32(littleEndian: true) : .utf8
        case (0xFE, 0xFF, _, _), (0x00, 0x01..., _, _): return bytes.count >= 2 ? .utf16(littleEndian: false) : .utf8
        case (0xFF, 0xFE, _, _), (0x01..., 0x00, _, _): return bytes.count >= 2 ? .utf16(littleEndian: true) : .utf8
        default: return .utf8
        }
    }

    private static func transcoded<Units: Sequence, Codec: UnicodeCodec>(
        _ units: Units, from codec: Codec.Type, oddBytes: Int
    ) throws(JSONParseError) -> [UInt8] where Units.Element == Codec.CodeUnit {
        var utf8: [UInt8] = []
        let failed = transcode(units.makeIterator(), from: codec, to: UTF8.self, stoppingOnError: true) { utf8.append($0) }
        guard !failed, oddBytes == 0 else {
            throw JSONParseError(
                kind: .syntax(reason: "text that is not well-formed UTF-16 or UTF-32 (save the file as UTF-8)"),
                position: JSONDocument.Position(line: 1, column: 1))
        }
        return utf8
    }
}
