import CNachetShims
import COpenSSL
import Foundation
import NIOHTTP1

/// The blob service's operations over ``EmulatorStorage``: what the agent
/// and Microsoft's SDK use (see shared/azure-blob.md).
struct EmulatorService {
    var storage = EmulatorStorage()
    let authentication: EmulatorAuthentication

    mutating func handle(_ request: EmulatorRequest) -> EmulatorResponse {
        let (account, container, blob) = request.segments
        guard account == authentication.account else {
            return .error(.badRequest, "InvalidUri", "The requested URI does not represent any resource on the server.")
        }
        let comp = request.queryValue("comp") ?? ""
        let permission: Character
        switch (request.method, comp) {
        case ("GET", "list"),
            ("GET", "") where blob == nil:
            permission = "l"
        case ("GET", "tags"): permission = "t"
        case ("PUT", "tags"): permission = "t"
        case ("GET", _), ("HEAD", _): permission = "r"
        case ("DELETE", _): permission = "d"
        case ("PUT", "block"), ("PUT", "blocklist"): permission = "w"
        default: permission = "c"
        }
        if let denied = authentication.check(request, permission: permission) { return denied }
        guard let container else {
            return .error(.badRequest, "InvalidQueryParameterValue", "Account-level operations are not emulated.")
        }
        guard let blob else { return containerOperation(request, container) }
        guard storage.containers[container] != nil else {
            return .error(.notFound, "ContainerNotFound", "The specified container does not exist.")
        }
        switch (request.method, comp) {
        case ("PUT", ""): return putBlob(request, container, blob)
        case ("PUT", "block"): return putBlock(request, container, blob)
        case ("PUT", "blocklist"): return putBlockList(request, container, blob)
        case ("GET", "blocklist"): return getBlockList(request, container, blob)
        case ("GET", "tags"): return getTags(container, blob)
        case ("PUT", "tags"): return putTags(request, container, blob)
        case ("HEAD", ""): return blobProperties(container, blob, head: true)
        case ("GET", ""): return getBlob(request, container, blob)
        case ("DELETE", ""):
            guard storage.containers[container]!.blobs.removeValue(forKey: blob) != nil else {
                return .error(.notFound, "BlobNotFound", "The specified blob does not exist.")
            }
            return EmulatorResponse(status: .accepted)
        default:
            return .error(.badRequest, "UnsupportedHttpVerb", "The resource doesn't support the specified HTTP verb.")
        }
    }

    // MARK: - Containers

    private mutating func containerOperation(_ request: EmulatorRequest, _ container: String) -> EmulatorResponse {
        switch (request.method, request.queryValue("restype"), request.queryValue("comp")) {
        case ("PUT", "container", nil):
            guard storage.containers[container] == nil else {
                return .error(.conflict, "ContainerAlreadyExists", "The specified container already exists.")
            }
            storage.containers[container] = EmulatorStorage.Container()
            return EmulatorResponse(status: .created, headers: [("ETag", "\"0x1\""), ("Last-Modified", Self.httpDate(Date()))])
        case ("GET", "container", "list"):
            return listBlobs(request, container)
        case ("GET", "container", nil), ("HEAD", "container", nil):
            guard storage.containers[container] != nil else {
                return .error(.notFound, "ContainerNotFound", "The specified container does not exist.")
            }
            return EmulatorResponse(status: .ok, headers: [("ETag", "\"0x1\""), ("Last-Modified", Self.httpDate(Date()))])
        case ("DELETE", "container", nil):
            guard storage.containers.removeValue(forKey: container) != nil else {
                return .error(.notFound, "ContainerNotFound", "The specified container does not exist.")
            }
            return EmulatorResponse(status: .accepted)
        default:
            return .error(.badRequest, "InvalidQueryParameterValue", "Unsupported container operation.")
        }
    }

    private func listBlobs(_ request: EmulatorRequest, _ container: String) -> EmulatorResponse {
        guard let blobs = storage.containers[container]?.blobs else {
            return .error(.notFound, "ContainerNotFound", "The specified container does not exist.")
        }
        let prefix = request.queryValue("prefix") ?? ""
        let marker = request.queryValue("marker") ?? ""
        let limit = request.queryValue("maxresults").flatMap(Int.init) ?? 5000
        // With a delimiter, names that go on past it after the prefix fold
        // into one `BlobPrefix` each (a "directory"), as Azure lists them.
        let delimiter = request.queryValue("delimiter") ?? ""
        let entries = Set(
            blobs.keys.filter { $0.hasPrefix(prefix) }.map { name -> String in
                guard !delimiter.isEmpty, let end = name.dropFirst(prefix.count).range(of: delimiter) else { return name }
                return String(name[..<end.upperBound])
            }
        )
        let names = entries.filter { marker.isEmpty || $0 >= marker }.sorted()
        let page = names.prefix(limit)
        // `include=metadata` (what rclone asks for, to read the source mtime it stored).
        let includeMetadata = (request.queryValue("include") ?? "").split(separator: ",").contains("metadata")
        let next = names.count > limit ? names[limit] : ""
        var xml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><EnumerationResults ServiceEndpoint=\"http://127.0.0.1/\(authentication.account)/\" ContainerName=\"\(container)\">"
        xml +=
            "<Prefix>\(escape(prefix))</Prefix>" + (delimiter.isEmpty ? "" : "<Delimiter>\(escape(delimiter))</Delimiter>")
            + "<Marker>\(escape(marker))</Marker><MaxResults>\(limit)</MaxResults><Blobs>"
        for name in page {
            guard let blob = blobs[name], delimiter.isEmpty || !name.hasSuffix(delimiter) else {
                xml += "<BlobPrefix><Name>\(escape(name))</Name></BlobPrefix>"
                continue
            }
            xml += "<Blob><Name>\(escape(name))</Name><Properties><Last-Modified>\(Self.httpDate(blob.lastModified))</Last-Modified>"
            xml += "<Etag>\(blob.etag)</Etag><Content-Length>\(blob.data.count)</Content-Length>"
            xml += "<Content-Type>\(blob.contentType ?? "application/octet-stream")</Content-Type>"
            xml += "<Content-MD5>\(blob.contentMD5 ?? "")</Content-MD5><BlobType>BlockBlob</BlobType><LeaseStatus>unlocked</LeaseStatus>"
            xml += "<LeaseState>available</LeaseState></Properties>"
            if includeMetadata {
                xml +=
                    "<Metadata>" + blob.metadata.sorted { $0.key < $1.key }.map { "<\($0)>\(escape($1))</\($0)>" }.joined() + "</Metadata>"
            }
            xml += "</Blob>"
        }
        xml += "</Blobs><NextMarker>\(escape(next))</NextMarker></EnumerationResults>"
        return EmulatorResponse(status: .ok, headers: [("Content-Type", "application/xml")], body: Data(xml.utf8))
    }

    // MARK: - Blobs

    private mutating func putBlob(_ request: EmulatorRequest, _ container: String, _ name: String) -> EmulatorResponse {
        // Put Blob keeps the blob's MD5 whatever the client sent.
        let body = checkBody(request, keepingMD5: true)
        if let refused = body.refusal { return refused }
        if let refused = checkAbsent(request, container, name) { return refused }
        return commit(request, container, name, data: request.body, blocks: [], contentMD5: body.md5)
    }

    private mutating func putBlock(_ request: EmulatorRequest, _ container: String, _ name: String) -> EmulatorResponse {
        let body = checkBody(request, keepingMD5: false)
        if let refused = body.refusal { return refused }
        guard let id = request.queryValue("blockid"), Data(base64Encoded: id) != nil, id.count <= 88 else {
            return .error(
                .badRequest, "InvalidQueryParameterValue", "Value for one of the query parameters specified in the request URI is invalid.")
        }
        if let existing = storage.containers[container]!.uncommitted[name]?.keys.first, existing.count != id.count {
            return .error(.badRequest, "InvalidBlobOrBlock", "The specified blob or block content is invalid.")
        }
        storage.containers[container]!.uncommitted[name, default: [:]][id] = request.body
        // The answer carries the checksum of the kind the client sent.
        let checksum = body.crc64.map { ("x-ms-content-crc64", $0) } ?? ("Content-MD5", body.md5 ?? Self.md5(request.body))
        return EmulatorResponse(status: .created, headers: [checksum])
    }

    private mutating func putBlockList(_ request: EmulatorRequest, _ container: String, _ name: String) -> EmulatorResponse {
        if let refused = checkBody(request, keepingMD5: false).refusal { return refused }
        if let refused = checkAbsent(request, container, name) { return refused }
        let text = String(decoding: request.body, as: UTF8.self)
        let staged = storage.containers[container]!.uncommitted[name] ?? [:]
        let committed = storage.containers[container]!.blobs[name]?.committedBlocks ?? []
        var data = Data()
        var blocks: [(id: String, size: Int)] = []
        for (kind, id) in Self.blockListEntries(text) {
            let bytes: Data?
            switch kind {
            case "Uncommitted": bytes = staged[id]
            case "Committed": bytes = committedBytes(container, name, id, committed)
            default: bytes = staged[id] ?? committedBytes(container, name, id, committed)
            }
            guard let bytes else { return .error(.badRequest, "InvalidBlockList", "The specified block list is invalid.") }
            data.append(bytes)
            blocks.append((id, bytes.count))
        }
        let response = commit(request, container, name, data: data, blocks: blocks, contentMD5: request.header("x-ms-blob-content-md5"))
        storage.containers[container]!.uncommitted[name] = nil
        return response
    }

    private func committedBytes(_ container: String, _ name: String, _ id: String, _ blocks: [(id: String, size: Int)]) -> Data? {
        guard let blob = storage.containers[container]?.blobs[name] else { return nil }
        var offset = 0
        for block in blocks {
            if block.id == id { return blob.data.subdata(in: offset..<offset + block.size) }
            offset += block.size
        }
        return nil
    }

    private mutating func commit(
        _ request: EmulatorRequest,
        _ container: String,
        _ name: String,
        data: Data,
        blocks: [(id: String, size: Int)],
        contentMD5: String?
    ) -> EmulatorResponse {
        var metadata: [String: String] = [:]
        for header in request.headers where header.name.lowercased().hasPrefix("x-ms-meta-") {
            metadata[String(header.name.lowercased().dropFirst("x-ms-meta-".count))] = header.value
        }
        var tags: [String: String] = [:]
        for pair in (request.header("x-ms-tags") ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map {
                String($0).removingPercentEncoding ?? String($0)
            }
            if parts.count == 2 { tags[parts[0]] = parts[1] }
        }
        let etag = "\"0x\(String(UInt64.random(in: 1...UInt64.max), radix: 16, uppercase: true))\""
        let now = Date()
        storage.containers[container]!.blobs[name] = EmulatorStorage.Blob(
            data: data,
            metadata: metadata,
            tags: tags,
            contentType: request.header("x-ms-blob-content-type") ?? (blocks.isEmpty ? request.header("Content-Type") : nil),
            contentMD5: contentMD5,
            committedBlocks: blocks,
            etag: etag,
            lastModified: now
        )
        var headers = [("ETag", etag), ("Last-Modified", Self.httpDate(now)), ("x-ms-request-server-encrypted", "true")]
        if let contentMD5 { headers.append(("Content-MD5", contentMD5)) }
        return EmulatorResponse(status: .created, headers: headers)
    }

    private func getBlockList(_ request: EmulatorRequest, _ container: String, _ name: String) -> EmulatorResponse {
        let blob = storage.containers[container]!.blobs[name]
        let staged = storage.containers[container]!.uncommitted[name]
        guard blob != nil || staged != nil else { return .error(.notFound, "BlobNotFound", "The specified blob does not exist.") }
        let type = (request.queryValue("blocklisttype") ?? "committed").lowercased()
        var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>"
        if type == "committed" || type == "all" {
            xml +=
                "<CommittedBlocks>"
                + (blob?.committedBlocks ?? []).map { "<Block><Name>\($0.id)</Name><Size>\($0.size)</Size></Block>" }.joined()
                + "</CommittedBlocks>"
        }
        if type == "uncommitted" || type == "all" {
            xml +=
                "<UncommittedBlocks>"
                + (staged ?? [:]).sorted { $0.key < $1.key }.map { "<Block><Name>\($0.key)</Name><Size>\($0.value.count)</Size></Block>" }
                .joined()
                + "</UncommittedBlocks>"
        }
        xml += "</BlockList>"
        return EmulatorResponse(status: .ok, headers: [("Content-Type", "application/xml")], body: Data(xml.utf8))
    }

    private func blobProperties(_ container: String, _ name: String, head: Bool) -> EmulatorResponse {
        guard let blob = storage.containers[container]!.blobs[name] else {
            var response = EmulatorResponse.error(.notFound, "BlobNotFound", "The specified blob does not exist.")
            if head { response.body = Data() }
            return response
        }
        var headers = [
            ("Content-Length", String(blob.data.count)), ("ETag", blob.etag), ("Last-Modified", Self.httpDate(blob.lastModified)),
            ("x-ms-blob-type", "BlockBlob"), ("x-ms-creation-time", Self.httpDate(blob.lastModified)),
            ("x-ms-lease-status", "unlocked"), ("x-ms-lease-state", "available"), ("Accept-Ranges", "bytes"),
            ("Content-Type", blob.contentType ?? "application/octet-stream"), ("x-ms-server-encrypted", "true"),
        ]
        if let md5 = blob.contentMD5 { headers.append(("Content-MD5", md5)) }
        if !blob.tags.isEmpty { headers.append(("x-ms-tag-count", String(blob.tags.count))) }
        for (key, value) in blob.metadata.sorted(by: { $0.key < $1.key }) { headers.append(("x-ms-meta-\(key)", value)) }
        return EmulatorResponse(status: .ok, headers: headers)
    }

    private func getBlob(_ request: EmulatorRequest, _ container: String, _ name: String) -> EmulatorResponse {
        var response = blobProperties(container, name, head: false)
        guard response.status == .ok, let blob = storage.containers[container]!.blobs[name] else { return response }
        guard let range = request.header("x-ms-range") ?? request.header("Range") else {
            response.body = blob.data
            return response
        }
        let bounds = range.replacingOccurrences(of: "bytes=", with: "").split(separator: "-", omittingEmptySubsequences: false)
        let start = Int(bounds.first ?? "") ?? 0
        let end = min(Int(bounds.count > 1 ? bounds[1] : "") ?? (blob.data.count - 1), blob.data.count - 1)
        guard start < blob.data.count || blob.data.isEmpty else {
            return .error(.init(statusCode: 416), "InvalidRange", "The range specified is invalid for the current size of the resource.")
        }
        let slice = blob.data.isEmpty ? Data() : blob.data.subdata(in: start..<end + 1)
        response.status = .partialContent
        response.headers.removeAll { $0.0 == "Content-Length" }
        response.headers.append(("Content-Length", String(slice.count)))
        response.headers.append(("Content-Range", "bytes \(start)-\(max(end, start))/\(blob.data.count)"))
        if let md5 = blob.contentMD5 {
            response.headers.removeAll { $0.0 == "Content-MD5" }
            response.headers.append(("x-ms-blob-content-md5", md5))
        }
        response.body = slice
        return response
    }

    private func getTags(_ container: String, _ name: String) -> EmulatorResponse {
        guard let blob = storage.containers[container]!.blobs[name] else {
            return .error(.notFound, "BlobNotFound", "The specified blob does not exist.")
        }
        let xml =
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><Tags><TagSet>"
            + blob.tags.sorted { $0.key < $1.key }.map { "<Tag><Key>\(escape($0.key))</Key><Value>\(escape($0.value))</Value></Tag>" }
            .joined()
            + "</TagSet></Tags>"
        return EmulatorResponse(status: .ok, headers: [("Content-Type", "application/xml")], body: Data(xml.utf8))
    }

    private mutating func putTags(_ request: EmulatorRequest, _ container: String, _ name: String) -> EmulatorResponse {
        guard storage.containers[container]!.blobs[name] != nil else {
            return .error(.notFound, "BlobNotFound", "The specified blob does not exist.")
        }
        let text = String(decoding: request.body, as: UTF8.self)
        var tags: [String: String] = [:]
        for tag in Self.elements("Tag", in: text) {
            if let key = Self.elements("Key", in: tag).first {
                tags[unescape(key)] = unescape(Self.elements("Value", in: tag).first ?? "")
            }
        }
        storage.containers[container]!.blobs[name]!.tags = tags
        return EmulatorResponse(status: .noContent)
    }

    // MARK: - Checks

    /// What the service computed of a request body, each at most once: its
    /// MD5 when it keeps one or was sent one, its CRC-64 when it was sent one.
    private struct CheckedBody {
        var md5: String?
        var crc64: String?
        var refusal: EmulatorResponse?
    }

    /// Checks the body against the checksum the client sent, as the service
    /// does: `Content-MD5` or `x-ms-content-crc64`, never both.
    private func checkBody(_ request: EmulatorRequest, keepingMD5: Bool) -> CheckedBody {
        let claimedMD5 = request.header("Content-MD5")
        let claimedCRC64 = request.header("x-ms-content-crc64")
        var body = CheckedBody()
        if claimedMD5 != nil && claimedCRC64 != nil {
            body.refusal = .error(
                .badRequest, "InvalidHeaderValue", "Content-MD5 and x-ms-content-crc64 cannot be sent in the same request.")
            return body
        }
        if keepingMD5 || claimedMD5 != nil { body.md5 = Self.md5(request.body) }
        if claimedCRC64 != nil { body.crc64 = Self.crc64(request.body) }
        if let claimedMD5, claimedMD5 != body.md5 {
            body.refusal = .error(
                .badRequest, "Md5Mismatch",
                "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
        } else if let claimedCRC64, claimedCRC64 != body.crc64 {
            body.refusal = .error(
                .badRequest, "Crc64Mismatch",
                "The CRC64 value specified in the request did not match with the CRC64 value calculated by the server.")
        }
        return body
    }

    private func checkAbsent(_ request: EmulatorRequest, _ container: String, _ name: String) -> EmulatorResponse? {
        guard request.header("If-None-Match") == "*", storage.containers[container]!.blobs[name] != nil else { return nil }
        return .error(.conflict, "BlobAlreadyExists", "The specified blob already exists.")
    }

    // MARK: - Helpers

    static func md5(_ data: Data) -> String {
        var output = [UInt8](repeating: 0, count: 16)
        data.withUnsafeBytes { bytes in
            var length: UInt32 = 0
            _ = EVP_Digest(bytes.baseAddress, bytes.count, &output, &length, EVP_md5(), nil)
        }
        return Data(output).base64EncodedString()
    }

    /// Azure Storage's CRC-64, little-endian, base64 (a test holds it to
    /// Microsoft's implementation).
    static func crc64(_ data: Data) -> String {
        let crc = data.withUnsafeBytes { nachet_crc64(0, $0.baseAddress, UInt($0.count)) }
        return withUnsafeBytes(of: crc.littleEndian) { Data($0).base64EncodedString() }
    }

    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    /// `(Latest|Committed|Uncommitted, id)` entries of a block list body, in order.
    static func blockListEntries(_ text: String) -> [(String, String)] {
        var entries: [(String, String)] = []
        var rest = text[...]
        while let open = rest.firstRange(of: #/<(Latest|Committed|Uncommitted)>([^<]*)</(Latest|Committed|Uncommitted)>/#) {
            let match = rest[open].firstMatch(of: #/<(Latest|Committed|Uncommitted)>([^<]*)</#)!
            entries.append((String(match.output.1), String(match.output.2)))
            rest = rest[open.upperBound...]
        }
        return entries
    }

    static func elements(_ name: String, in text: String) -> [String] {
        var result: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "<\(name)>"), let close = rest[open.upperBound...].range(of: "</\(name)>") {
            result.append(String(rest[open.upperBound..<close.lowerBound]))
            rest = rest[close.upperBound...]
        }
        return result
    }

    private func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;")
    }

    private func unescape(_ text: String) -> String {
        text.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(
            of: "&amp;", with: "&")
    }
}
