import Foundation

/// The image of `/upload-picture`: a data URL (`data:image/png;base64,…`),
/// read as Nachet's backend reads it: split at the first comma, the part
/// before ignored (whatever MIME type it says), the rest base64.
enum DataURL {
    /// The bytes of `text`.
    /// - Throws: 400 when there is no comma, the rest is not base64, or it holds no byte.
    static func bytes(of text: String, action: NachetAction) throws(NachetAPIError) -> Data {
        guard let comma = text.firstIndex(of: ",") else {
            throw .request(action, "image must be a data URL: data:<type>;base64,<the image in base64>")
        }
        let encoded = text[text.index(after: comma)...]
        // Python's b64decode (what the backend uses) skips characters outside
        // the base64 alphabet, such as line breaks, and needs the padding.
        guard let data = Data(base64Encoded: String(encoded), options: .ignoreUnknownCharacters) else {
            throw .request(action, "image is not valid base64 after the data URL's comma")
        }
        guard !data.isEmpty else { throw .request(action, "the image is empty") }
        return data
    }
}
