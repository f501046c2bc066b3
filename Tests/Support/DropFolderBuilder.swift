import Foundation
import Glibc
// `struct stat` is owned by whichever module first included <sys/stat.h>:
// depending on the build, Glibc or Dispatch's C module. Both are imported so
// its fields are visible either way (MemberImportVisibility).
import CDispatch

/// Writes set folders, images and metadata into a drop folder for tests.
public struct DropFolderBuilder: Sendable {
    /// The drop folder.
    public let root: String

    public init(root: String) {
        self.root = root
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    /// Creates the set folder `name` with `metadata` (omitted when `nil`).
    @discardableResult
    public func makeSet(_ name: String, metadata: [String: Any]?) throws -> String {
        let folder = root + "/" + name
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        if let metadata { try writeMetadata(metadata, in: name) }
        return folder
    }

    /// Writes `metadata.json` of the set folder `set`.
    public func writeMetadata(_ metadata: [String: Any], in set: String) throws {
        let data = try JSONSerialization.data(withJSONObject: metadata, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: URL(fileURLWithPath: root + "/" + set + "/metadata.json"))
    }

    /// Writes the raw text `text` as `metadata.json` of `set`.
    public func writeMetadataText(_ text: String, in set: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/" + set + "/metadata.json"))
    }

    /// Writes an image file of `size` bytes whose content is fixed by `seed`.
    @discardableResult
    public func writeImage(_ name: String, in set: String, seed: UInt64, size: Int = 4096) throws -> String {
        let path = root + "/" + set + "/" + name
        try Self.imageBytes(seed: seed, size: size).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Deterministic pseudo-random bytes framed as a PNG: its signature
    /// first and its `IEND` chunk last, so the agent takes it as whole.
    public static func imageBytes(seed: UInt64, size: Int) -> Data {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        var bytes = [UInt8](repeating: 0, count: size)
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for index in 0..<size {
            if index < signature.count {
                bytes[index] = signature[index]
                continue
            }
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            bytes[index] = UInt8(truncatingIfNeeded: state)
        }
        let end: [UInt8] = [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
        if size >= signature.count + end.count { bytes.replaceSubrange((size - end.count)..<size, with: end) }
        return Data(bytes)
    }

    /// The metadata of a plain set owned by `email` with seed `seed`.
    public static func metadata(
        email: String = TestDatastore.technician,
        seed: String = "Brassica napus",
        extra: [String: Any] = [:]
    ) -> [String: Any] {
        ["user_email": email, "seed_name": seed, "zoom_level": 1.5, "nb_seeds": 10].merging(extra) { $1 }
    }
}

extension DropFolderBuilder {
    /// Writes `bytes` over the file at `path` in place (same inode) and
    /// gives it back its modification time: a change `stat` cannot see, only
    /// the content tells. `bytes` must be as long as the file.
    public static func overwriteUnseen(_ path: String, with bytes: Data) throws {
        var before = stat()
        guard stat(path, &before) == 0, Int(before.st_size) == bytes.count else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(descriptor) }
        let written = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        var times = [before.st_atim, before.st_mtim]
        guard written == bytes.count, futimens(descriptor, &times) == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
