import Foundation

/// A value bound to, or read from, an SQLite statement.
package enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// The value as text, or `nil` when it is NULL or not text.
    package var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The value as an integer, or `nil` when it is NULL or not an integer.
    package var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }
}

extension SQLiteValue: ExpressibleByStringLiteral {
    package init(stringLiteral value: String) { self = .text(value) }
}

extension SQLiteValue: ExpressibleByIntegerLiteral {
    package init(integerLiteral value: Int64) { self = .integer(value) }
}

extension SQLiteValue {
    /// Text, or NULL when `value` is `nil`.
    package static func optionalText(_ value: String?) -> SQLiteValue {
        value.map(SQLiteValue.text) ?? .null
    }
}
