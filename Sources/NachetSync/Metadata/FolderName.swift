import Foundation

/// The rules for a picture set's folder name, which Nachet uses as the blob
/// prefix `<folder>/` and as the marker blob `<folder>/<folder>.json`.
///
/// Nachet's readers find folders by splitting blob names on `/` and `.`, so a
/// name holding either would make the set invisible or miscounted.
///
/// A name is judged as it is stored: in Unicode's composed form (NFC,
/// ``normalized(_:)``), measured in UTF-8 bytes, the unit file systems and
/// the local blob store count in. Characters a reader cannot see or tell
/// from others (controls, zero-width and bidirectional formatting
/// characters, spaces other than the plain one, white space at either end)
/// are refused: two sets whose names look the same would be two sets.
package enum FolderName {
    /// The longest folder name, in UTF-8 bytes.
    ///
    /// The local blob store keeps each blob's properties beside it in
    /// `.properties/<container>/<folder>/<folder>.json.json`: that file
    /// name, 10 bytes longer than the folder's, must fit the 255 bytes a
    /// Linux file name holds. Azure (blob names of up to 1,024 characters,
    /// the marker `<folder>/<folder>.json` twice the name and 6 more) takes
    /// every name that fits this limit, so a set name is good for every
    /// store, and for the API, whose server's store the agent cannot know.
    package static let maximumBytes = 245

    /// The rule, said for a user.
    package static let rule =
        "use letters, digits, spaces, '-' or '_' (no '/', '\\', '.', control or invisible characters, no space at either end), at most \(maximumBytes) bytes in UTF-8 (\(maximumBytes) plain letters, about half as many accented or Greek ones, a third as many Chinese ones)"

    /// Why `name` cannot be a folder name, or `nil` when it can; each
    /// problem says what to change (the character and its position).
    package static func problem(with name: String) -> String? {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return "is empty" }
        let stored = normalized(name)
        if stored.utf8.count > maximumBytes {
            return "is \(stored.utf8.count) bytes long in UTF-8, over the \(maximumBytes) a set name may hold; shorten it"
        }
        if name.contains("/") || name.contains("\\") { return "contains a slash" }
        if name.contains(".") { return "contains a '.', which Nachet reads as a file extension" }
        if let first = name.unicodeScalars.first, first.properties.isWhitespace {
            return "begins with \(describe(first)); remove it"
        }
        if let last = name.unicodeScalars.last, last.properties.isWhitespace {
            return "ends with \(describe(last)); remove it"
        }
        for (position, character) in name.enumerated() {
            for scalar in character.unicodeScalars {
                guard let kind = lookAlikeKind(of: scalar) else { continue }
                return "contains \(describe(scalar)) (\(kind)) at character \(position + 1); \(kind == spaceKind ? "type a plain space instead" : "remove it")"
            }
        }
        return nil
    }

    /// The folder name for a subfolder named `directoryName` when the metadata
    /// gives none: the same name, with each character Nachet cannot hold
    /// (`/`, `\`, `.` and control characters) replaced by `_` (`lot 3.1`
    /// becomes `lot 3_1`), in Unicode's composed form (``normalized(_:)``).
    ///
    /// A subfolder copied from a Mac is often named in the decomposed form
    /// (an `e` and a combining accent): its set is named in the composed
    /// form, and the subfolder keeps its own name on disk. Whatever else
    /// ``problem(with:)`` refuses is not mapped: the subfolder must be
    /// renamed, or given a `folder_name`.
    package static func derived(fromDirectoryName directoryName: String) -> String {
        let mapped = String(
            String.UnicodeScalarView(
                directoryName.unicodeScalars.map { scalar in
                    "/\\.".unicodeScalars.contains(scalar) || scalar.properties.generalCategory == .control ? "_" : scalar
                })
        )
        return normalized(mapped)
    }

    /// `name` in Unicode's composed form (NFC): "café" typed on Windows and
    /// "café" named by a Mac (an `e` and a combining accent) look alike and
    /// are one set name.
    package static func normalized(_ name: String) -> String {
        name.precomposedStringWithCanonicalMapping
    }

    private static let spaceKind = "a space that looks like a plain one"

    /// What kind of look-alike `scalar` is, or `nil` when it is an ordinary
    /// character: a control character (C0, DEL, C1), an invisible formatting
    /// character (zero-width spaces and joiners, bidirectional controls, the
    /// byte order mark, soft hyphens), a line or paragraph separator, or a
    /// space other than U+0020 (no-break, thin, ideographic…).
    private static func lookAlikeKind(of scalar: Unicode.Scalar) -> String? {
        switch scalar.properties.generalCategory {
        case .control: "a control character"
        case .format: "an invisible formatting character"
        case .lineSeparator, .paragraphSeparator: "a line break"
        case .spaceSeparator where scalar != " ": spaceKind
        default: nil
        }
    }

    /// `U+200B ZERO WIDTH SPACE`, or `U+0085` for a character without a name.
    private static func describe(_ scalar: Unicode.Scalar) -> String {
        if scalar == " " { return "a space" }
        return scalar.properties.name.map { scalar.codePoint + " " + $0 } ?? scalar.codePoint
    }
}
