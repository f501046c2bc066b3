import Foundation

/// The rules for a picture set's folder name, which Nachet uses as the blob
/// prefix `<folder>/` and as the marker blob `<folder>/<folder>.json`.
///
/// Nachet's readers find folders by splitting blob names on `/` and `.`, so a
/// name holding either would make the set invisible or miscounted.
public enum FolderName {
    /// The rule, said for a user.
    public static let rule = "use letters, digits, spaces, '-' or '_' (no '/', '\\', '.' or control characters), at most 255 characters"

    /// Why `name` cannot be a folder name, or `nil` when it can.
    public static func problem(with name: String) -> String? {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return "is empty" }
        if name.count > 255 { return "is longer than 255 characters" }
        if name.contains("/") || name.contains("\\") { return "contains a slash" }
        if name.contains(".") { return "contains a '.', which Nachet reads as a file extension" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 }) { return "contains a control character" }
        return nil
    }

    /// The folder name for a subfolder named `directoryName` when the metadata
    /// gives none: the same name, with each character Nachet cannot hold
    /// replaced by `_` (`lot 3.1` becomes `lot 3_1`), in Unicode's composed
    /// form (``normalized(_:)``).
    public static func derived(fromDirectoryName directoryName: String) -> String {
        let mapped = String(
            directoryName.unicodeScalars.map { scalar -> Character in
                "/\\.".unicodeScalars.contains(scalar) || scalar.value < 0x20 ? "_" : Character(scalar)
            }
        )
        return normalized(String(mapped.prefix(255)))
    }

    /// `name` in Unicode's composed form (NFC): "café" typed on Windows and
    /// "café" named by a Mac (an `e` and a combining accent) look alike and
    /// are one set name.
    public static func normalized(_ name: String) -> String {
        name.precomposedStringWithCanonicalMapping
    }
}
