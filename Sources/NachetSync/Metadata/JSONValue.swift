import Foundation

/// A JSON document as parsed, before its fields are checked one by one, so
/// every mistake can be reported rather than the first the decoder meets.
enum JSONValue: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if let array = try? container.decode([JSONValue].self) {
            self = .array(array)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// How the value reads in a message: the JSON type and, when short, the value.
    var summary: String {
        switch self {
        case .null: "null"
        case .bool(let value): "\(value) (true/false)"
        case .number(let value): "\(value.formatted) (a number)"
        case .string(let value): "\"\(value.count > 40 ? value.prefix(40) + "…" : value)\" (text)"
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
