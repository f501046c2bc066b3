import CNachetShims
import Foundation

/// The kind of filesystem a drop folder is on, from `statfs`: on a network
/// filesystem inotify does not see what other machines write, so the agent
/// says so and scans more often.
package struct FileSystemKind: Sendable, Equatable, CustomStringConvertible {
    /// A short name (`CIFS/SMB`, `NFS`, `FUSE`, `ext4`, …).
    package var name: String
    /// Whether files may be written by other machines, unseen by inotify.
    package var isNetwork: Bool

    package var description: String { name }

    /// The filesystem holding `path`, or `nil` when `statfs` fails.
    package static func of(_ path: String) -> FileSystemKind? {
        let magic = nachet_statfs_type(path)
        guard magic != -1 else { return nil }
        return FileSystemKind(magic: UInt32(truncatingIfNeeded: magic))
    }

    /// Names a filesystem by its `statfs` magic number (linux/magic.h).
    package init(magic: UInt32) {
        switch magic {
        case 0xFF53_4D42, 0xFE53_4D42, 0x517B: self.init(name: "CIFS/SMB", isNetwork: true)
        case 0x6969: self.init(name: "NFS", isNetwork: true)
        case 0x6573_5546: self.init(name: "FUSE (sshfs, rclone mount, …)", isNetwork: true)
        case 0x0102_1997: self.init(name: "9p", isNetwork: true)
        case 0x00C3_6400: self.init(name: "CephFS", isNetwork: true)
        case 0x5346_414F: self.init(name: "AFS", isNetwork: true)
        case 0xEF53: self.init(name: "ext4", isNetwork: false)
        case 0x5846_5342: self.init(name: "XFS", isNetwork: false)
        case 0x9123_683E: self.init(name: "Btrfs", isNetwork: false)
        case 0x0102_1994: self.init(name: "tmpfs", isNetwork: false)
        case 0x794C_7630: self.init(name: "overlayfs", isNetwork: false)
        default: self.init(name: "filesystem 0x" + String(magic, radix: 16), isNetwork: false)
        }
    }

    package init(name: String, isNetwork: Bool) {
        self.name = name
        self.isNetwork = isNetwork
    }
}
