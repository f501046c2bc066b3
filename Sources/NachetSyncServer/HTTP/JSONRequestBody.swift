import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NachetSync

/// A route's JSON request body, read whole (up to the route's limit) and
/// kept as fields whose JSON type is known, so each route can check its
/// fields as Nachet's backend does: `nb_pictures` must be a JSON integer,
/// and the string `"1"` is not one.
///
/// Parsed strictly, as the agent parses `metadata.json` (``JSONParser``): a
/// key given twice is refused, naming it (Foundation keeps its first value,
/// Python's `json` its last: a proxy or a validator in front of the server
/// would see another request than the server), and so is a text holding a
/// character that makes no sense in its field (``RequestText``), NUL above all.
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
                try await use(try parse(Array(bytes.readableBytesView), action: action))
            }
        } catch is NIOTooManyBytesError {
            throw tooLarge(limit, action)
        } catch {
            // A body too slow, a connection closed: answered in words; the
            // datastore's failures go on to the route, which logs them.
            throw NachetAPIError.connectionFailure(action, error) ?? error
        }
    }

    /// The fields of `bytes`, a JSON object.
    static func parse(_ bytes: [UInt8], action: NachetAction) throws(NachetAPIError) -> JSONRequestBody {
        let document: JSONDocument
        do {
            document = try JSONParser.parse(bytes)
        } catch {
            throw .request(action, "the request body is not a JSON object (not valid JSON at \(error.position))")
        }
        guard case .object(let members) = document.value else { throw .request(action, "the request body is not a JSON object") }
        if let duplicate = document.duplicateKeys.first {
            throw .request(
                action,
                "the key \"\(duplicate.path)\" is given twice (\(duplicate.first) and \(duplicate.again)); programs disagree on which value counts, so send each key once"
            )
        }
        if let path = document.stringsWithNUL.first {
            throw .request(action, "\(path) holds the control character U+0000 (NUL); send the text without it")
        }
        for (name, value) in members {
            if case .string(let text) = value, let problem = RequestText.problem(text, field: name) { throw .request(action, problem) }
        }
        return JSONRequestBody(fields: members.mapValues(JSONField.init))
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
enum JSONField: Sendable, Equatable {
    case null
    case bool(Bool)
    /// A whole number (`1`, and `1.0` or `1e2` as Foundation's decoder took
    /// them), within what an `Int` holds exactly.
    case integer(Int)
    /// Any other number.
    case number(Double)
    case string(String)
    /// A list or an object.
    case structure

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let value): self = .bool(value)
        case .number(let value) where value.rounded() == value && abs(value) <= 9_007_199_254_740_992: self = .integer(Int(value))
        case .number(let value): self = .number(value)
        case .string(let text): self = .string(text)
        case .array, .object: self = .structure
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
