import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// JSON response bodies, written as Nachet's backend writes them: compact,
/// keys sorted, `application/json`.
enum JSONResponse {
    static func make(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // The values encoded are plain structs, lists and strings: encoding cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("null".utf8)
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }
}
