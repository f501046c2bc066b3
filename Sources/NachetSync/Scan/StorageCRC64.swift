import CNachetShims
import Foundation

/// Azure Storage's CRC-64 of a request body, sent as `x-ms-content-crc64`:
/// the service recomputes it and refuses bytes that differ.
///
/// It does for Azure what `Content-MD5` does, at a quarter of MD5's cost
/// (measured here: about 3 GB/s against MD5's 0.9), which matters because
/// every byte uploaded is checked this way.
struct StorageCRC64 {
    /// The CRC of everything added so far.
    private(set) var value: UInt64 = 0

    /// Adds `bytes`.
    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        value = nachet_crc64(value, base, UInt(bytes.count))
    }

    /// The header's form: the eight bytes little-endian, in base64.
    var base64: String {
        withUnsafeBytes(of: value.littleEndian) { Data($0).base64EncodedString() }
    }

    /// The header's form of the CRC of `bytes`.
    static func base64(_ bytes: UnsafeRawBufferPointer) -> String {
        var crc = StorageCRC64()
        crc.update(bytes)
        return crc.base64
    }
}
