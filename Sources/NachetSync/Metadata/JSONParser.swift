/// A strict JSON parser (RFC 8259) for `metadata.json`, in time and memory
/// bounded by the text's length.
///
/// Unlike Foundation's decoders it says where a syntax error is (line and
/// column) and what is wrong there, keeps every key given twice (with where)
/// instead of silently keeping one value, notes strings holding NUL, and
/// refuses nesting deeper than ``maximumDepth`` with a plain error: the
/// recursion is bounded by that limit, whatever the text holds.
///
/// The text is UTF-8, with or without a byte order mark; UTF-16 and UTF-32
/// (as Windows Notepad may save) are read too, as Foundation reads them.
package struct JSONParser {
    /// How deep lists and objects may nest; `metadata.json` needs 3.
    static let maximumDepth = 64
    /// How many keys given twice, and strings with NUL, a document lists.
    static let reportLimit = 10

    /// Where a key was met: enough to say its line and column when needed.
    private struct Mark {
        var offset: Int
        var line: Int
        var lineStart: Int
    }

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var lineStart = 0
    private var path: [JSONDocument.PathComponent] = []
    private var document = JSONDocument(value: .null)

    private init(utf8 bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses a whole JSON text.
    /// - Throws: ``JSONParseError`` saying where and why the text is not JSON.
    package static func parse(_ text: [UInt8]) throws(JSONParseError) -> JSONDocument {
        var parser = JSONParser(utf8: try utf8(text))
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else {
            throw parser.syntax("more text after the end of the JSON value (a file holds one object)")
        }
        parser.document.value = value
        return parser.document
    }

    // MARK: Values

    private mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw endsEarly() }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            let (text, hasNUL) = try parseString()
            if hasNUL { noteNUL(at: path) }
            return .string(text)
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return .number(try parseNumber())
        default:
            throw unexpected("a value (text in double quotes, a number, true, false, null, { or [)")
        }
    }

    private mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw JSONParseError(kind: .tooDeep, position: position(of: mark())) }
        index += 1
        var fields: [String: JSONValue] = [:]
        var firstMarks: [String: Mark] = [:]
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(fields)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw endsEarly() }
            guard bytes[index] == UInt8(ascii: "\"") else {
                if bytes[index] == UInt8(ascii: "}") { throw syntax("a comma before '}' (remove the last comma)") }
                throw unexpected("a key in double quotes")
            }
            let keyMark = mark()
            let (key, keyHasNUL) = try parseString()
            path.append(.key(key))
            if keyHasNUL { noteNUL(at: path) }
            skipWhitespace()
            guard index < bytes.count else { throw endsEarly() }
            guard bytes[index] == UInt8(ascii: ":") else { throw unexpected("':' after the key") }
            index += 1
            let value = try parseValue(depth: depth)
            if let first = firstMarks[key] {
                noteDuplicate(first: first, again: keyMark)
            } else {
                firstMarks[key] = keyMark
            }
            path.removeLast()
            fields[key] = value
            skipWhitespace()
            guard index < bytes.count else { throw endsEarly() }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(fields)
            default: throw unexpected("',' or '}' after a field")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= Self.maximumDepth else { throw JSONParseError(kind: .tooDeep, position: position(of: mark())) }
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            if index < bytes.count && bytes[index] == UInt8(ascii: "]") { throw syntax("a comma before ']' (remove the last comma)") }
            path.append(.index(items.count))
            items.append(try parseValue(depth: depth))
            path.removeLast()
            skipWhitespace()
            guard index < bytes.count else { throw endsEarly() }
            switch bytes[index] {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(items)
            default: throw unexpected("',' or ']' after a list item")
            }
        }
    }

    private mutating func parseLiteral(_ word: String) throws(JSONParseError) {
        for byte in word.utf8 {
            guard index < bytes.count else { throw endsEarly() }
            guard bytes[index] == byte else { throw unexpected("true, false or null (lower case), or text in double quotes") }
            index += 1
        }
    }

    /// A number as RFC 8259 writes it: `-`, then `0` or digits not starting
    /// with 0, then maybe a fraction and an exponent.
    private mutating func parseNumber() throws(JSONParseError) -> Double {
        let start = index
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard isDigit() else { throw endsOrUnexpected("digits after '-'") }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if isDigit() { throw syntax("a number starting with 0 (write 7, not 07)") }
        } else {
            skipDigits()
        }
        if index < bytes.count && bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard isDigit() else { throw endsOrUnexpected("digits after the decimal point") }
            skipDigits()
        }
        if index < bytes.count && (bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E")) {
            index += 1
            if index < bytes.count && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
            guard isDigit() else { throw endsOrUnexpected("digits in the exponent") }
            skipDigits()
        }
        // The grammar above is Double's own; a number too large becomes
        // infinity, which the field checks refuse.
        return Double(String(decoding: bytes[start..<index], as: UTF8.self)) ?? .nan
    }

    private func isDigit() -> Bool {
        index < bytes.count && bytes[index] >= UInt8(ascii: "0") && bytes[index] <= UInt8(ascii: "9")
    }

    private mutating func skipDigits() {
        while isDigit() { index += 1 }
    }

    // MARK: Strings

    /// A string from its opening quote to its closing one, and whether it
    /// holds a NUL character.
    private mutating func parseString() throws(JSONParseError) -> (String, hasNUL: Bool) {
        index += 1
        var text: [UInt8] = []
        var hasNUL = false
        while true {
            guard index < bytes.count else { throw endsEarly() }
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return (String(decoding: text, as: UTF8.self), hasNUL)
            case UInt8(ascii: "\\"):
                let scalar = try parseEscape()
                if scalar.value == 0 { hasNUL = true }
                text.append(contentsOf: String(scalar).utf8)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw syntax("a line break inside text (a closing quote is missing, or write \\n)")
            case 0..<0x20:
                throw syntax("a control character inside text (write it as an escape such as \\t)")
            case 0..<0x80:
                // A run of plain ASCII, appended at once: a request's image
                // is megabytes of base64 in one string.
                var end = index + 1
                while end < bytes.count, (0x20..<0x80).contains(bytes[end]), bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") {
                    end += 1
                }
                text.append(contentsOf: bytes[index..<end])
                index = end
            default:
                let length = utf8SequenceLength(at: index)
                guard length > 0 else { throw syntax("bytes that are not UTF-8 text (save the file as UTF-8)") }
                text.append(contentsOf: bytes[index..<index + length])
                index += length
            }
        }
    }

    /// The character a backslash escape stands for; a UTF-16 surrogate
    /// must come in a pair (`\ud83c\udf31`).
    private mutating func parseEscape() throws(JSONParseError) -> Unicode.Scalar {
        index += 1
        guard index < bytes.count else { throw endsEarly() }
        let letter = bytes[index]
        index += 1
        switch letter {
        case UInt8(ascii: "\""): return "\""
        case UInt8(ascii: "\\"): return "\\"
        case UInt8(ascii: "/"): return "/"
        case UInt8(ascii: "b"): return "\u{08}"
        case UInt8(ascii: "f"): return "\u{0C}"
        case UInt8(ascii: "n"): return "\n"
        case UInt8(ascii: "r"): return "\r"
        case UInt8(ascii: "t"): return "\t"
        case UInt8(ascii: "u"):
            let unit = try parseHexUnit()
            switch unit {
            case 0xD800...0xDBFF:
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                    throw syntax("half of a character (\\u\(hex(unit)) without the \\uDC00–\\uDFFF escape that completes it)")
                }
                index += 2
                let low = try parseHexUnit()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw syntax("half of a character (\\u\(hex(unit)) without the \\uDC00–\\uDFFF escape that completes it)")
                }
                let value = 0x10000 + (UInt32(unit) - 0xD800) << 10 + (UInt32(low) - 0xDC00)
                return Unicode.Scalar(value) ?? "\u{FFFD}"
            case 0xDC00...0xDFFF:
                throw syntax("half of a character (\\u\(hex(unit)) without the \\uD800–\\uDBFF escape before it)")
            default:
                return Unicode.Scalar(unit) ?? "\u{FFFD}"
            }
        default:
            index -= 1
            throw syntax("an unknown escape '\\\(Character(Unicode.Scalar(letter)))' (write \\\\ for a backslash)")
        }
    }

    private mutating func parseHexUnit() throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw endsEarly() }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw syntax("a \\u escape needs four hexadecimal digits")
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    private func hex(_ unit: UInt16) -> String {
        let digits = String(unit, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// The length of the well-formed UTF-8 sequence at `start` (Unicode's
    /// table 3-7: no overlong forms, no surrogates, nothing past U+10FFFF),
    /// or 0 when there is none.
    private func utf8SequenceLength(at start: Int) -> Int {
        let lead = bytes[start]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: return 0
        }
        guard start + length <= bytes.count, secondRange.contains(bytes[start + 1]) else { return 0 }
        for offset in 2..<length where !(0x80...0xBF).contains(bytes[start + offset]) { return 0 }
        return length
    }

    // MARK: Whitespace, positions, notes

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "\n"):
                index += 1
                line += 1
                lineStart = index
            default:
                return
            }
        }
    }

    private func mark() -> Mark {
        Mark(offset: index, line: line, lineStart: lineStart)
    }

    /// The line and column of a mark; the column counts characters, not bytes.
    private func position(of mark: Mark) -> JSONDocument.Position {
        let end = min(mark.offset, bytes.count)
        let characters = bytes[min(mark.lineStart, end)..<end].reduce(0) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        return JSONDocument.Position(line: mark.line, column: characters + 1)
    }

    private mutating func noteDuplicate(first: Mark, again: Mark) {
        guard document.duplicateKeys.count < Self.reportLimit else {
            document.moreDuplicateKeys += 1
            return
        }
        document.duplicateKeys.append(
            JSONDocument.DuplicateKey(path: JSONDocument.path(path), first: position(of: first), again: position(of: again)))
    }

    private mutating func noteNUL(at path: [JSONDocument.PathComponent]) {
        guard document.stringsWithNUL.count < Self.reportLimit else {
            document.moreStringsWithNUL += 1
            return
        }
        document.stringsWithNUL.append(JSONDocument.path(path))
    }

    private func syntax(_ reason: String) -> JSONParseError {
        JSONParseError(kind: .syntax(reason: reason), position: position(of: mark()))
    }

    private func endsEarly() -> JSONParseError {
        JSONParseError(kind: .endsEarly, position: position(of: mark()))
    }

    private func endsOrUnexpected(_ expected: String) -> JSONParseError {
        index < bytes.count ? unexpected(expected) : endsEarly()
    }

    /// "expected …, found …", naming what stands at the current place.
    private func unexpected(_ expected: String) -> JSONParseError {
        let found: String
        let length = bytes[index] < 0x80 ? 1 : utf8SequenceLength(at: index)
        if length == 0 {
            found = "bytes that are not UTF-8 text (save the file as UTF-8)"
        } else {
            let character = String(decoding: bytes[index..<index + length], as: UTF8.self)
            switch character {
            case "“", "”", "„", "«", "»", "‘", "’": found = "the typographic quote \(character) (use straight double quotes \")"
            case "'": found = "a single quote ' (use double quotes \")"
            default:
                let printable = character.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
                found = printable ? "'\(character)'" : "the control character \\u\(hex(UInt16(truncatingIfNeeded: bytes[index])))"
            }
        }
        return syntax("expected \(expected), found \(found)")
    }
}
