/// Text put into XML or HTML: `&`, `<`, `>`, `"` and `'` written as
/// entities, in one pass, so a text can never open an element or leave an
/// attribute (Azure's XML bodies, serve's fleet page).
package enum MarkupText {
    /// `text` with the five characters escaped.
    package static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        append(text, to: &escaped)
        return escaped
    }

    /// Appends `text`, escaped, to `output`.
    package static func append(_ text: String, to output: inout String) {
        var start = text.startIndex
        for index in text.unicodeScalars.indices {
            let entity: String
            switch text.unicodeScalars[index] {
            case "&": entity = "&amp;"
            case "<": entity = "&lt;"
            case ">": entity = "&gt;"
            case "\"": entity = "&quot;"
            case "'": entity = "&apos;"
            default: continue
            }
            output += text[start..<index]
            output += entity
            start = text.unicodeScalars.index(after: index)
        }
        output += text[start...]
    }
}
