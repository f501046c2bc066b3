import Foundation
import Testing

@testable import NachetSync

/// The client's Shared Key signatures equal those Microsoft's SDK computes for
/// the same requests (`signature-vectors.json`, made by
/// `Tests/AzureFidelity/make_signature_vectors.py`).
@Suite("Azure Shared Key signatures match the SDK's")
struct SignatureVectorTests {
    struct Vectors: Decodable {
        struct Vector: Decodable {
            var method: String
            var url: String
            var headers: [String: String]
            var authorization: String
        }

        var account: String
        var key: String
        var vectors: [Vector]
    }

    static let vectors: Vectors = {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("signature-vectors.json")
        // The file is part of the repository; a decoding failure is a broken checkout.
        return try! JSONDecoder().decode(Vectors.self, from: Data(contentsOf: file))
    }()

    @Test(arguments: vectors.vectors.indices)
    func theSignatureEqualsTheSDKs(index: Int) throws {
        let vector = Self.vectors.vectors[index]
        let components = try #require(URLComponents(string: vector.url))
        let query = (components.queryItems ?? []).map { (name: $0.name, value: $0.value ?? "") }
        let stringToSign = SharedKeySignature.stringToSign(
            method: vector.method,
            encodedPath: components.percentEncodedPath,
            query: query,
            headers: vector.headers.map { (name: $0.key, value: $0.value) },
            account: Self.vectors.account
        )
        let authorization = SharedKeySignature.authorization(
            account: Self.vectors.account,
            key: try #require(Data(base64Encoded: Self.vectors.key)),
            stringToSign: stringToSign
        )
        #expect(authorization == vector.authorization, "\(vector.method) \(vector.url)")
    }

    @Test func blobNamesAreEncodedAsTheSDKEncodesThem() throws {
        let request = AzureRequest(method: "PUT", container: "user-1", blob: "Lot 7 – été/abc")
        let endpoint = try #require(URL(string: "https://nachetlab.blob.core.windows.net"))
        #expect(request.encodedPath(endpoint: endpoint) == "/user-1/Lot%207%20%E2%80%93%20%C3%A9t%C3%A9/abc")
        let pathStyle = try #require(URL(string: "http://127.0.0.1:10000/nachetlab"))
        #expect(request.encodedPath(endpoint: pathStyle) == "/nachetlab/user-1/Lot%207%20%E2%80%93%20%C3%A9t%C3%A9/abc")
    }
}

@Suite("Azure request dates")
struct AzureDateTests {
    @Test func datesAreRFC1123InGMT() {
        #expect(AzureBlobClient.httpDate(Date(timeIntervalSince1970: 1_795_575_600)) == "Wed, 25 Nov 2026 03:00:00 GMT")
    }
}
