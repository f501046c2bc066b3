extension Unicode.Scalar {
    /// The scalar's code point as Unicode writes it: `U+` and at least four
    /// hexadecimal digits (`U+0000`, `U+200B`, `U+1F331`), for messages
    /// naming a character a reader may not see.
    package var codePoint: String {
        let digits = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
