import Foundation
import Glibc

extension NachetWire.AgentReport {
    /// What a watching agent reports: where `status` and `folders` stand
    /// now, cut to the report's limits. Built from what the agent keeps
    /// anyway (the status line's, the folder gauges'), nothing more.
    static func watching(_ status: WatchStatus, folders: FolderTally.Summary, host: String, now: Date) -> NachetWire.AgentReport {
        NachetWire.AgentReport(
            version: NachetSyncVersion.current,
            host: host,
            drop_folders: status.dropDirectories,
            uploaded_since_start: status.uploadedSinceStart,
            last_upload_seconds_ago: status.lastUploadAt.map { max(0, now.timeIntervalSince($0)) },
            files_waiting: folders.filesPending,
            bytes_waiting: folders.bytesPending,
            folders_pending: folders.foldersPending,
            folders_in_error: folders.foldersInError,
            folders: folders.listed,
            outages: status.outages.map { outage in
                Outage(
                    problem: outage.what + (outage.cause.map { " (\($0))" } ?? ""),
                    for_seconds: outage.since.map { max(0, now.timeIntervalSince($0)) })
            }
        ).bounded
    }

    /// The report without what changes by itself as time passes (times
    /// ago) or as pictures go (counts): two reports with the same
    /// condition are equal, and only a change of condition is sent early.
    var condition: NachetWire.AgentReport {
        var condition = self
        condition.uploaded_since_start = 0
        condition.last_upload_seconds_ago = nil
        condition.files_waiting = 0
        condition.bytes_waiting = 0
        condition.folders = folders.map { folder in
            var folder = folder
            folder.files_waiting = 0
            return folder
        }
        condition.outages = outages.map { Outage(problem: $0.problem, for_seconds: nil) }
        return condition
    }

    /// This machine's host name.
    static var hostName: String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
