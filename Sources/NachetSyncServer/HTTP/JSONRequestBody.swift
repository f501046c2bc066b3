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
    /// that is not a JSON object. Its bytes take their share of `memory` as
    /// they arrive, given back once they are parsed.
    static func read(_ request: Request, limit: Int, memory: MemoryBudget, action: NachetAction) async throws -> JSONRequestBody {
        try await reading(request, limit: limit, memory: memory, action: action) { $0 }
    }

    /// Reads the body as ``read(_:limit:memory:action:)`` does and runs
    /// `use` with it, holding its share of `memory` until `use` returns (an
    /// upload's image, decoded from the body, is stored by then).
    static func reading<Result>(
        _ request: Request, limit: Int, memory: MemoryBudget, action: NachetAction, _ use: (JSONRequestBody) async throws -> Result
    ) async throws -> Result {
        let declared = request.headers[.contentLength].flatMap(Int.init)
        if let declared, declared > limit { throw tooLarge(limit, action) }
        do {
            return try await memory.collect(request.body, upTo: limit, expecting: declared) { bytes in
                try await use(try parse(Data(bytes.readableBytesView), action: action))
            }
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit, action)
        } catch {
            // A body too slow, a connection closed: answered in words.
            throw NachetAPIError.failure(action, error)
        }
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
