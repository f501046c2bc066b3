/// A JSON text as ``JSONParser`` read it: its value, and what a JSON value
/// cannot show but readers disagree on or a database refuses.
package struct JSONDocument: Sendable, Equatable {
    /// Where a key or value lies in the text, for people (1-based).
    package struct Position: Sendable, Equatable, CustomStringConvertible {
        package var line: Int
        package var column: Int

        package var description: String { "line \(line), column \(column)" }
    }

    /// A key an object gives more than once. ``JSONDocument/value`` keeps
    /// the last value, as Python's `json` (and so the JSON Schema's
    /// validators) do; Foundation's `JSONDecoder` keeps the first.
    package struct DuplicateKey: Sendable, Equatable {
        /// The key's path, ``JSONDocument/path(_:)`` style (`images.a.png.nb_seeds`).
        package var path: String
        package var first: Position
        package var again: Position
    }

    /// The parsed value; for a key given twice, its last value.
    package var value: JSONValue
    /// The first keys given twice, in the order met (at most ``JSONParser/reportLimit``).
    package var duplicateKeys: [DuplicateKey] = []
    /// How many keys given twice are not in ``duplicateKeys``.
    var moreDuplicateKeys = 0
    /// The paths of the first strings, keys or values, holding a NUL
    /// character (U+0000), which PostgreSQL cannot store (at most ``JSONParser/reportLimit``).
    package var stringsWithNUL: [String] = []
    /// How many strings holding NUL are not in ``stringsWithNUL``.
    var moreStringsWithNUL = 0

    /// A path as messages show it: keys joined by `.`, list items as `[i]`,
    /// each key readable (``displayed(_:limit:)``).
    static func path(_ components: [PathComponent]) -> String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key): text += (text.isEmpty ? "" : ".") + displayed(key)
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// One step of a path into a document.
    enum PathComponent: Sendable, Equatable {
        case key(String)
        case index(Int)
    }

    /// A key or text as a message shows it: control characters written as
    /// JSON escapes (`\u0000`), and at most `limit` characters, then `…`.
    static func displayed(_ key: String, limit: Int = 80) -> String {
        var text = ""
        var characters = 0
        for scalar in key.unicodeScalars {
            if characters == limit { return text + "…" }
            text += scalar.value < 0x20 || scalar.value == 0x7F ? "\\u" + hex4(scalar.value) : String(scalar)
            characters += 1
        }
        return text
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: false)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
