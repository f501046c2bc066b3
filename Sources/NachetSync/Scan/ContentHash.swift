import Foundation

/// The SHA-256 of a file's bytes: the identity of a picture inside its set.
public struct ContentHash: Hashable, Sendable, CustomStringConvertible {
    /// The 64 lower-case hexadecimal digits of the digest.
    public let hex: String

    /// Wraps a hexadecimal digest, or returns `nil` when `hex` is not 64 hex digits.
    public init?(hex: String) {
        let lowered = hex.lowercased()
        guard lowered.utf8.count == 64, lowered.utf8.allSatisfy(\.isHexDigit) else { return nil }
        self.hex = lowered
    }

    init(digest: some Sequence<UInt8>) {
        var text = ""
        text.reserveCapacity(64)
        for byte in digest {
            text += String(byte >> 4, radix: 16) + String(byte & 0x0f, radix: 16)
        }
        hex = text
    }

    public var description: String { hex }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(self)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(self)
    }
}
