import Foundation

/// A JSON document as parsed (by ``JSONParser``), before its fields are
/// checked one by one, so every mistake can be reported rather than the
/// first a decoder meets.
package enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// How the value reads in a message: the JSON type and, when short, the value.
    var summary: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value) (true/false)"
        case .number(let value): "\(value.formatted) (a number)"
        case .string(let value): "\"\(JSONDocument.displayed(value, limit: 40))\" (text)"
        case .array: "a list"
        case .object: "an object"
        }
    }
}

extension Double {
    /// The number as JSON would show it: integers without a fraction.
    var formatted: String {
        rounded() == self && abs(self) < 1e15 ? String(Int64(self)) : String(self)
    }
}
