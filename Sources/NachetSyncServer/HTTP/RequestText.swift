import NachetSync

/// Which characters a request's text field may hold: none that make no
/// sense in it, and never NUL, which PostgreSQL cannot store (one backend
/// answered with its raw error, the other stored it).
///
/// Checked for every field of a JSON body and of a query, whether the route
/// reads it or not, so every route refuses alike, naming the field.
enum RequestText {
    /// What a field may hold.
    enum Rule {
        /// One line of text (ids, e-mails, seed and folder names): no
        /// control character (C0, DEL, C1).
        case singleLine
        /// A description: tabs and line breaks too.
        case freeText
        /// A file's name, as the PC that sent it names it: any character but NUL.
        case fileName
    }

    /// The rule of `field`.
    static func rule(of field: String) -> Rule {
        switch field {
        case "description": .freeText
        case "file_name": .fileName
        default: .singleLine
        }
    }

    /// Fields with a rule of their own that refuses every control
    /// character, and says more: an image's base64 (which scanning here
    /// would cost a pass over megabytes) and a set's name (``FolderName``,
    /// which refuses look-alikes too).
    static let checkedByTheirOwnRule: Set<String> = ["image", "folder_name"]

    /// Why `text`, the value of `field`, is refused, or `nil`.
    static func problem(_ text: String, field: String) -> String? {
        guard !checkedByTheirOwnRule.contains(field) else { return nil }
        let rule = rule(of: field)
        for (position, character) in text.enumerated() {
            guard let scalar = character.unicodeScalars.first(where: { isRefused($0, by: rule) }) else { continue }
            let named = scalar.codePoint + (scalar.value == 0 ? " (NUL)" : "")
            return "\(field) holds the control character \(named) at character \(position + 1); send the text without it"
        }
        return nil
    }

    private static func isRefused(_ scalar: Unicode.Scalar, by rule: Rule) -> Bool {
        let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
        switch rule {
        case .singleLine: return isControl
        case .freeText: return isControl && !["\t", "\n", "\r"].contains(scalar)
        case .fileName: return scalar.value == 0
        }
    }
}
