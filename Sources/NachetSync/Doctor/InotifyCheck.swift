import Foundation
import Glibc

/// Whether inotify can watch every folder `watch` would: one watch per drop
/// folder and per set folder, against the per-user limits
/// (`/proc/sys/fs/inotify/max_user_watches`, `max_user_instances`) less
/// what this user's other programs hold (counted in `/proc`).
enum InotifyCheck {
    /// The limits and what is in use, read from `/proc`.
    struct Usage: Sendable, Equatable {
        var maximumWatches: Int
        var maximumInstances: Int
        /// Watches and instances held by this user's processes that may be
        /// read (all of them for root).
        var watchesInUse: Int
        var instancesInUse: Int
    }

    static func run(dropDirectories: [String], extensions: ImageExtensions, followingSymlinks: Bool) -> DoctorFinding {
        let folders = dropDirectories.reduce(0) { count, drop in
            let listing = try? DropFolderListing.list(drop, extensions: extensions, followingSymlinks: followingSymlinks)
            return count + (listing.map { 1 + $0.setFolders.count } ?? 0)
        }
        guard let usage = usage() else {
            return .pass("inotify", "\(folders) folders to watch; the limits cannot be read here (not Linux?), nothing checked")
        }
        return judge(folders: folders, usage: usage)
    }

    /// The finding for `folders` folders to watch with `usage`.
    static func judge(folders: Int, usage: Usage) -> DoctorFinding {
        let facts =
            "\(folders) folders to watch; \(usage.maximumWatches) watches allowed per user (\(usage.watchesInUse) in use), "
            + "\(usage.maximumInstances) inotify instances (\(usage.instancesInUse) in use)"
        if folders + usage.watchesInUse > usage.maximumWatches {
            let wanted = max(524_288, (folders + usage.watchesInUse) * 2)
            return .fail(
                "inotify",
                "\(facts): not enough watches; raise the limit (`sysctl fs.inotify.max_user_watches=\(wanted)`, and in /etc/sysctl.d/ to keep it), "
                    + "else folders beyond it are only scanned every 5 s")
        }
        if usage.instancesInUse >= usage.maximumInstances {
            return .fail(
                "inotify",
                "\(facts): no instance left for the agent; raise `sysctl fs.inotify.max_user_instances=\(max(256, usage.maximumInstances * 2))`, or stop a program holding one")
        }
        return .pass("inotify", facts)
    }

    /// The limits, and the watches and instances this user's processes hold.
    static func usage() -> Usage? {
        guard let watches = readNumber("/proc/sys/fs/inotify/max_user_watches"),
            let instances = readNumber("/proc/sys/fs/inotify/max_user_instances")
        else { return nil }
        var usage = Usage(maximumWatches: watches, maximumInstances: instances, watchesInUse: 0, instancesInUse: 0)
        let user = geteuid()
        let processes = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for pid in processes where pid.allSatisfy(\.isNumber) {
            var status = stat()
            guard stat("/proc/" + pid, &status) == 0, status.st_uid == user else { continue }
            let fds = "/proc/\(pid)/fd"
            for fd in (try? FileManager.default.contentsOfDirectory(atPath: fds)) ?? [] {
                guard (try? FileManager.default.destinationOfSymbolicLink(atPath: fds + "/" + fd)) == "anon_inode:inotify" else { continue }
                usage.instancesInUse += 1
                let info = (try? String(contentsOfFile: "/proc/\(pid)/fdinfo/\(fd)", encoding: .utf8)) ?? ""
                usage.watchesInUse += info.split(separator: "\n").filter { $0.hasPrefix("inotify wd:") }.count
            }
        }
        return usage
    }

    private static func readNumber(_ path: String) -> Int? {
        (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }
}
