import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NachetSync

/// A route's JSON request body, read whole (up to the route's limit) and
/// kept as fields whose JSON type is known, so each route can check its
/// fields as Nachet's backend does: `nb_pictures` must be a JSON integer,
/// and the string `"1"` is not one.
struct JSONRequestBody: Sendable {
    /// The body's members.
    let fields: [String: JSONField]

    /// Reads the body of `request`, refusing one over `limit` bytes (by its
    /// `Content-Length` before reading anything, else while reading) and one
    /// that is not a JSON object.
    static func read(_ request: Request, limit: Int, action: NachetAction) async throws -> JSONRequestBody {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit {
            throw tooLarge(limit, action)
        }
        let bytes: ByteBuffer
        do {
            bytes = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit, action)
        }
        return try parse(Data(bytes.readableBytesView), action: action)
    }

    /// The fields of `data`, a JSON object.
    static func parse(_ data: Data, action: NachetAction) throws(NachetAPIError) -> JSONRequestBody {
        do {
            return JSONRequestBody(fields: try JSONDecoder().decode([String: JSONField].self, from: data))
        } catch {
            throw .request(action, "the request body is not a JSON object")
        }
    }

    private static func tooLarge(_ limit: Int, _ action: NachetAction) -> NachetAPIError {
        .request(
            action,
            "the request is larger than \(limit >> 20) MiB (NACHET_MAX_CONTENT_LENGTH); send large images as raw bytes to /upload-picture-raw",
            code: .tooLarge
        )
    }

    /// Whether the body has the member `name`, whatever its value.
    func has(_ name: String) -> Bool { fields[name] != nil }

    /// The member's text: `nil` when absent, `null` or `""`; an error when
    /// it is not text.
    func text(_ name: String, action: NachetAction) throws(NachetAPIError) -> String? {
        switch fields[name] {
        case nil, .null: return nil
        case .string(let text): return text.isEmpty ? nil : text
        case .some(let other): throw .request(action, "\(name) must be text, not \(other.kind)")
        }
    }
}

/// One member of a JSON request body, with its JSON type.
enum JSONField: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    /// A number written without a fraction.
    case integer(Int)
    /// Any other number.
    case number(Double)
    case string(String)
    /// A list or an object.
    case structure

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else {
            self = .structure
        }
    }

    /// The JSON type, for messages.
    var kind: String {
        switch self {
        case .null: "null"
        case .bool: "true/false"
        case .integer, .number: "a number"
        case .string: "text"
        case .structure: "a list or object"
        }
    }
}
