import Foundation
import Testing

@testable import NachetSync

@Suite("JSON parser: strict RFC 8259, bounded, and says where")
struct JSONParserTests {
    static func parse(_ text: String) throws(JSONParseError) -> JSONDocument {
        try JSONParser.parse(Array(text.utf8))
    }

    static let accepted: [(String, JSONValue)] = [
        ("{}", .object([:])),
        (" [ ] ", .array([])),
        ("[1, -0, 0.5e-3, 1E+2, 2.5E2, -12.75]", .array([.number(1), .number(-0.0), .number(0.0005), .number(100), .number(250), .number(-12.75)])),
        (#""\u00e9t\u00E9 \ud83c\udf31 \"q\" \\ \/ \b\f\n\r\t""#, .string("été 🌱 \"q\" \\ / \u{08}\u{0C}\n\r\t")),
        ("\"é🌱\"", .string("é🌱")),
        ("[true, false, null]", .array([.bool(true), .bool(false), .null])),
        (#"{"a": {"b": [1, {"c": "d"}]}}"#, .object(["a": .object(["b": .array([.number(1), .object(["c": .string("d")])])])])),
        ("\t\r\n 7 \n", .number(7)),
        ("1e999", .number(.infinity)),
    ]

    @Test(arguments: accepted.indices)
    func validJSONIsRead(index: Int) throws {
        let (text, value) = Self.accepted[index]
        #expect(try Self.parse(text).value == value, "\(text)")
    }

    static let refused: [(text: String, reason: String)] = [
        ("[1,]", "a comma before ']'"),
        (#"{"a": 1,}"#, "a comma before '}'"),
        ("[01]", "starting with 0"),
        ("[1.]", "digits after the decimal point"),
        ("[.5]", "expected a value"),
        ("[-]", "digits after '-'"),
        ("[1e]", "digits in the exponent"),
        ("[+1]", "found '+'"),
        ("[NaN]", "found 'N'"),
        ("[Infinity]", "found 'I'"),
        (#"["\x"]"#, "unknown escape '\\x'"),
        (#"["\u12"]"#, "four hexadecimal digits"),
        ("[\"a\tb\"]", "control character inside text"),
        ("[\"a\nb\"]", "line break inside text"),
        ("[1 2]", "expected ',' or ']'"),
        (#"{"a" 1}"#, "expected ':' after the key"),
        (#"{a: 1}"#, "expected a key in double quotes, found 'a'"),
        (#"{'a': 1}"#, "a single quote"),
        ("{“a”: 1}", "typographic quote “"),
        ("[tru]", "true, false or null"),
        ("[True]", "found 'T'"),
        (#"["\ud800"]"#, "half of a character (\\uD800"),
        (#"["\udc00x"]"#, "half of a character (\\uDC00"),
        (#"["\ud800\u0041"]"#, "half of a character"),
        ("{} {}", "more text after the end"),
        ("[1] x", "more text after the end"),
        ("\u{7F}", "found the control character"),
    ]

    @Test(arguments: refused.indices)
    func invalidJSONIsRefusedWithWhatIsWrong(index: Int) {
        let (text, reason) = Self.refused[index]
        do {
            _ = try Self.parse(text)
            Issue.record("\(text) accepted")
        } catch {
            guard case .syntax(let found) = error.kind else {
                Issue.record("\(text): \(error.kind)")
                return
            }
            #expect(found.contains(reason), "\(text): \(found)")
        }
    }

    @Test(arguments: ["", "  ", "{", "[1,", #"{"a""#, #"{"a":"#, #"{"a": "b"#, "[\"\\", "[\"\\u00", "tr", "-", "1.", "1e+"])
    func aTextThatStopsInsideAValueEndsEarly(text: String) {
        #expect(Self.error(text)?.kind == .endsEarly, "\(text)")
    }

    static func error(_ text: String) -> JSONParseError? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func bytesThatAreNotUTF8AreRefused() throws {
        for bytes: [UInt8] in [[0x22, 0xE9, 0x22], [0x22, 0xC0, 0x80, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22]] {
            #expect(throws: JSONParseError.self) { try JSONParser.parse(bytes) }
        }
        #expect(try JSONParser.parse([0x22, 0xF0, 0x9F, 0x8C, 0xB1, 0x22]).value == .string("🌱"))
    }

    @Test func utf8AndUTF16WithOrWithoutAByteOrderMarkAreRead() throws {
        let text = #"{"a": "été"}"#
        let expected = JSONValue.object(["a": .string("été")])
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array(text.utf8)).value == expected)
        let utf16 = Array(text.utf16)
        let littleEndian = utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let bigEndian = utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        #expect(try JSONParser.parse([0xFF, 0xFE] + littleEndian).value == expected)
        #expect(try JSONParser.parse([0xFE, 0xFF] + bigEndian).value == expected)
        #expect(try JSONParser.parse(littleEndian).value == expected)
        #expect(try JSONParser.parse(bigEndian).value == expected)
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0xFF, 0xFE] + littleEndian.dropLast()) }
    }

    @Test func syntaxErrorsGiveTheLineAndColumnInCharacters() {
        let error = Self.error("{\n  \"é\": 1\n  \"b\": 2\n}")
        #expect(error?.position == JSONDocument.Position(line: 3, column: 3))
        let accented = Self.error("{\"été\": x}")
        #expect(accented?.position == JSONDocument.Position(line: 1, column: 9))
    }

    @Test func keysGivenTwiceAreKeptWithWhereTheLastValueWins() throws {
        let document = try Self.parse("{\"a\": 1,\n \"b\": {\"c\": 1, \"c\": 2},\n \"a\": 3}")
        #expect(document.value == .object(["a": .number(3), "b": .object(["c": .number(2)])]))
        #expect(
            document.duplicateKeys == [
                JSONDocument.DuplicateKey(path: "b.c", first: .init(line: 2, column: 8), again: .init(line: 2, column: 16)),
                JSONDocument.DuplicateKey(path: "a", first: .init(line: 1, column: 2), again: .init(line: 3, column: 2)),
            ])
    }

    @Test func stringsHoldingNULAreNotedByPath() throws {
        let document = try Self.parse(#"{"a": "x\u0000", "b": [{"c\u0000": 1}], "d": "\\u0000"}"#)
        #expect(document.stringsWithNUL == ["a", "b[0].c\\u0000"])
    }

    @Test func nestingDeeperThanTheLimitIsAPlainError() {
        for text in [String(repeating: "[", count: 100_000), String(repeating: "{\"a\":", count: 100_000)] {
            let error = Self.error(text)
            #expect(error?.kind == .tooDeep)
            #expect(error?.position == JSONDocument.Position(line: 1, column: text.hasPrefix("[") ? 65 : 321))
        }
        let limit = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        #expect(throws: Never.self) { try Self.parse(limit) }
    }

    @Test func reportsAreBoundedOnAHostileText() throws {
        let keys = (0..<5_000).map { _ in #""k": "\u0000""# }.joined(separator: ",")
        let document = try Self.parse("{" + keys + "}")
        #expect(document.duplicateKeys.count == JSONParser.reportLimit)
        #expect(document.moreDuplicateKeys == 5_000 - 1 - JSONParser.reportLimit)
        #expect(document.stringsWithNUL.count == JSONParser.reportLimit)
        #expect(document.moreStringsWithNUL == 5_000 - JSONParser.reportLimit)
    }
}
