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

    /// The value as a number, or `nil` when it is NULL or text (an
    /// integer is read as a number too: SQLite stores `2.0` in a REAL
    /// column as the integer 2).
    package var real: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        case .null, .text: nil
        }
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
