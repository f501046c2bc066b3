import Foundation
import Glibc

/// Whether the agent's user may read, and write when it must, the drop
/// folders and the state directory, checked the way the agent uses them:
/// a folder listed, a file created in it and removed.
enum FolderAccessCheck {
    /// A drop folder: readable (listed), and writable when status files are on.
    static func dropFolder(_ path: String, needsWriting: Bool) -> DoctorFinding {
        let subject = "drop folder \(path)"
        if let problem = missing(path, fix: "create it, mount the share, or fix the path (the argument or \(Setting.dropDirectories.variable))") {
            return .fail(subject, problem)
        }
        guard let directory = opendir(path) else {
            return .fail(subject, "cannot be read (\(String(cString: strerror(errno)))); give the agent's user read and execute rights on it")
        }
        closedir(directory)
        guard needsWriting else { return .pass(subject, "readable") }
        if let problem = probeWrite(path) {
            return .fail(
                subject,
                "readable but not writable (\(problem)), and status files are on (--status-file): give the agent's user write rights on "
                    + "the folder and its set folders, or turn status files off")
        }
        return .pass(subject, "readable and writable (status files are on)")
    }

    /// The state directory: writable, or creatable.
    static func stateDirectory(_ path: String) -> DoctorFinding {
        let subject = "state directory \(path)"
        var status = stat()
        guard stat(path, &status) == 0 else {
            guard let parent = nearestExisting(above: path) else {
                return .fail(subject, "neither it nor any folder above it exists; choose another with --state-dir")
            }
            if let problem = probeWrite(parent) {
                return .fail(subject, "does not exist, and cannot be created in \(parent) (\(problem)); choose a writable one with --state-dir")
            }
            return .pass(subject, "does not exist yet; the agent creates it (0700) in \(parent)")
        }
        guard status.st_mode & S_IFMT == S_IFDIR else { return .fail(subject, "is not a folder; choose a folder with --state-dir") }
        if let problem = probeWrite(path) {
            return .fail(subject, "not writable (\(problem)); give the agent's user write rights on it, or choose another with --state-dir")
        }
        return .pass(subject, "writable")
    }

    /// Why `path` is not an existing folder, with `fix`; `nil` when it is one.
    private static func missing(_ path: String, fix: String) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            return errno == ENOENT ? "does not exist: \(fix)" : "cannot be reached (\(String(cString: strerror(errno)))): \(fix)"
        }
        return status.st_mode & S_IFMT == S_IFDIR ? nil : "is not a folder: \(fix)"
    }

    /// Creates and removes a file in `directory`; why it failed, or `nil`.
    static func probeWrite(_ directory: String) -> String? {
        // A name of its own for each probe: checks run at the same time
        // (the state directory's and the catalogue's) may probe one folder.
        let probe = directory + "/.nachet-sync-doctor-\(getpid())-\(UUID().lowercased)"
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        close(descriptor)
        unlink(probe)
        return nil
    }

    /// The nearest folder above `path` that exists.
    static func nearestExisting(above path: String) -> String? {
        var current = (path as NSString).deletingLastPathComponent
        while !current.isEmpty {
            var status = stat()
            if stat(current, &status) == 0 { return status.st_mode & S_IFMT == S_IFDIR ? current : nil }
            if current == "/" { return nil }
            current = (current as NSString).deletingLastPathComponent
        }
        return nil
    }
}
