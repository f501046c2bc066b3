extension String {
    /// The string with every control character written as a visible
    /// escape: C0 controls, DEL and C1 controls (`\n`, `\t`, `\u{1B}`…),
    /// and the bidirectional overrides that reorder what a reader sees
    /// (U+202A–U+202E, U+2066–U+2069).
    ///
    /// File and folder names come from whoever fills the drop folder. In a
    /// text log line, a summary or a status file, a name holding a newline
    /// would start a line of its own (a forged log entry, a separate journal
    /// entry), and one holding an escape sequence would command the
    /// terminal showing it (clear the screen, hide the text that follows).
    package var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: Self.needsEscaping) else { return self }
        var escaped = ""
        escaped.reserveCapacity(utf8.count + 8)
        for scalar in unicodeScalars {
            guard Self.needsEscaping(scalar) else {
                escaped.unicodeScalars.append(scalar)
                continue
            }
            switch scalar {
            case "\n": escaped += "\\n"
            case "\r": escaped += "\\r"
            case "\t": escaped += "\\t"
            default: escaped += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return escaped
    }

    private static func needsEscaping(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
