import Foundation

/// The fields of an upload, as a request gives them (a JSON body for
/// `/upload-picture`, the query for `/upload-picture-raw`), each checked for
/// its type; ``UploadTarget/resolve(_:caller:datastore:action:)`` then checks
/// them against the datastore.
struct UploadFields: Sendable {
    /// `container_name`: the owner's user id.
    var containerName: String?
    /// `session_id`: the picture set's id (`/new-batch-import`'s answer).
    var sessionID: String?
    /// `seed_id`, which wins over `seed_name` when both are given.
    var seedID: String?
    /// `seed_name`, compared without case or extra spaces.
    var seedName: String?
    /// `zoom_level`: a number > 0, or none.
    var zoomLevel: Double?
    /// `nb_seeds`: a whole number ≥ 0, or none.
    var seedCount: Int?
    /// `file_name` (an extension): kept in the picture's document.
    var fileName: String?
    /// `description` (an extension): kept in the picture's document.
    var description: String?
    /// `sha256` (an extension), or `X-Content-SHA256`: the bytes must hash to it.
    var sha256: String?

    /// Whether the fields Nachet requires are there: `container_name`,
    /// `session_id`, and `seed_id` or `seed_name`.
    var hasRequiredFields: Bool {
        containerName != nil && sessionID != nil && (seedID != nil || seedName != nil)
    }

    /// The fields of a JSON body.
    init(json body: JSONRequestBody, action: NachetAction) throws(NachetAPIError) {
        containerName = try body.text("container_name", action: action)
        sessionID = try body.text("session_id", action: action)
        seedID = try body.text("seed_id", action: action)
        seedName = try body.text("seed_name", action: action)
        fileName = try body.text("file_name", action: action)
        description = try body.text("description", action: action)
        sha256 = try body.text("sha256", action: action)
        zoomLevel = try Self.zoomLevel(body.fields["zoom_level"], action: action)
        seedCount = try Self.seedCount(body.fields["nb_seeds"], action: action)
    }

    /// The fields of a query string (`name=value&…`, percent-encoded, as
    /// `pairs` gives them decoded), checked as a JSON body's are: a name
    /// given twice, or a value holding a character that makes no sense in
    /// its field (``RequestText``), is refused, naming it.
    init(queryPairs pairs: some Sequence<(key: Substring, value: Substring)>, action: NachetAction) throws(NachetAPIError) {
        var query: [String: String] = [:]
        for (key, value) in pairs {
            let name = String(key)
            guard query[name] == nil else {
                throw .request(action, "the query gives \(name) twice; programs disagree on which value counts, so give it once")
            }
            if let problem = RequestText.problem(String(value), field: name) { throw .request(action, problem) }
            query[name] = String(value)
        }
        try self.init(query: query, action: action)
    }

    /// The fields of a query string, decoded.
    private init(query: [String: String], action: NachetAction) throws(NachetAPIError) {
        func text(_ name: String) -> String? { query[name].flatMap { $0.isEmpty ? nil : $0 } }
        containerName = text("container_name")
        sessionID = text("session_id")
        seedID = text("seed_id")
        seedName = text("seed_name")
        fileName = text("file_name")
        description = text("description")
        zoomLevel = try Self.zoomLevel(text("zoom_level").map(JSONField.string), action: action)
        seedCount = try Self.seedCount(text("nb_seeds").map(JSONField.string), action: action)
    }

    /// `zoom_level`: a number > 0 (or text holding one), or `null`.
    private static func zoomLevel(_ field: JSONField?, action: NachetAction) throws(NachetAPIError) -> Double? {
        let value: Double?
        switch field {
        case nil, .null: return nil
        case .integer(let number): value = Double(number)
        case .number(let number): value = number
        case .string(let text): value = text.isEmpty ? nil : Double(text)
        default: value = nil
        }
        guard let value, value > 0, value.isFinite else {
            throw .request(action, "zoom_level must be a number greater than 0, or null")
        }
        return value
    }

    /// `nb_seeds`: a whole number ≥ 0 (or text holding one), or `null`.
    private static func seedCount(_ field: JSONField?, action: NachetAction) throws(NachetAPIError) -> Int? {
        let value: Int?
        switch field {
        case nil, .null: return nil
        case .integer(let number): value = number
        case .number(let number): value = number.rounded() == number && abs(number) < 1e15 ? Int(number) : nil
        case .string(let text): value = text.isEmpty ? nil : Int(text)
        default: value = nil
        }
        guard let value, value >= 0 else { throw .request(action, "nb_seeds must be a whole number, 0 or more, or null") }
        return value
    }
}
