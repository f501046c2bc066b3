/// The lines of a settings or tokens file as people save them: with a
/// UTF-8 byte order mark or not, lines ended by `\n` (Linux), `\r\n`
/// (Windows' Notepad) or `\r`.
///
/// Read as `\n`-separated only, a file saved on Windows is one line: its
/// first value swallows the rest, secrets included.
package enum TextFileLines {
    /// The lines of `text`, each with its number (from 1), without their
    /// line ends; a byte order mark at the start is not part of the first.
    package static func numbered(_ text: String) -> [(number: Int, line: Substring)] {
        var body = Substring(text)
        if body.unicodeScalars.first == "\u{FEFF}" { body = Substring(body.unicodeScalars.dropFirst()) }
        // "\r\n" is one Character in Swift: it must be named, or `split` at
        // "\n" does not see it.
        return body.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            .enumerated().map { (number: $0.offset + 1, line: $0.element) }
    }

    /// Whether `text` ends with a line end (so a line appended starts a new one).
    package static func endsWithLineEnd(_ text: String) -> Bool {
        text.unicodeScalars.last == "\n" || text.unicodeScalars.last == "\r"
    }
}
