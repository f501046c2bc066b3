import COpenSSL
import Foundation

/// An incremental SHA-256 computation through OpenSSL's EVP interface, which
/// uses the CPU's SHA instructions where they exist.
final class SHA256Digest {
    private let context: OpaquePointer

    init() {
        // EVP_MD_CTX_new only fails when memory is exhausted.
        guard let context = EVP_MD_CTX_new() else { fatalError("OpenSSL could not allocate a digest context") }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
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

    /// Returns the digest of everything added so far.
    func finish() -> ContentHash {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &output, &length)
        return ContentHash(digest: output.prefix(Int(length)))
    }

    /// The digest of `bytes` in one call.
    static func hash(_ bytes: some Collection<UInt8>) -> ContentHash {
        let digest = SHA256Digest()
        Array(bytes).withUnsafeBytes { digest.update($0) }
        return digest.finish()
    }
}
