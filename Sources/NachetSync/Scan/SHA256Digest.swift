import COpenSSL
import Foundation

/// An incremental message digest through OpenSSL's EVP interface, which uses
/// the CPU's SHA instructions where they exist.
final class StreamingDigest {
    /// The digests the agent computes.
    enum Algorithm {
        /// The content hash pictures are known by.
        case sha256
        /// What Azure checks each request body against (`Content-MD5`).
        case md5
    }

    private let context: OpaquePointer
    private let type: OpaquePointer?

    init(_ algorithm: Algorithm) {
        // EVP_MD_CTX_new only fails when memory is exhausted.
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
        switch algorithm {
        case .sha256: type = EVP_sha256()
        case .md5: type = EVP_md5()
        }
        EVP_DigestInit_ex(context, type, nil)
        self.context = context
    }

    deinit {
        EVP_MD_CTX_free(context)
    }

    /// Adds `bytes` to the digest.
    func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        EVP_DigestUpdate(context, base, bytes.count)
    }

    /// Returns the digest of everything added since the start or the last
    /// call, and starts again empty.
    func finish() -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        EVP_DigestInit_ex(context, type, nil)
        return Array(output.prefix(Int(length)))
    }
}

/// An incremental SHA-256 computation.
package final class SHA256Digest {
    private let digest = StreamingDigest(.sha256)

    package init() {}

    /// Adds `bytes` to the digest.
    package func update(_ bytes: UnsafeRawBufferPointer) {
        digest.update(bytes)
    }

    /// Returns the digest of everything added so far.
    package func finish() -> ContentHash {
        ContentHash(digest: digest.finish())
    }

    /// The digest of `bytes` in one call.
    package static func hash(_ bytes: some Collection<UInt8>) -> ContentHash {
        let digest = SHA256Digest()
        Array(bytes).withUnsafeBytes { digest.update($0) }
        return digest.finish()
    }
}

/// MD5 of a request body, for `Content-MD5`: the service recomputes it and
/// refuses bytes that were changed on the way.
enum ContentMD5 {
    static func base64(_ bytes: UnsafeRawBufferPointer) -> String {
        let digest = StreamingDigest(.md5)
        digest.update(bytes)
        return base64(digest: digest.finish())
    }

    static func base64(_ data: Data) -> String {
        data.withUnsafeBytes { base64($0) }
    }

    /// The header's form of a finished digest.
    static func base64(digest: [UInt8]) -> String {
        Data(digest).base64EncodedString()
    }
}
