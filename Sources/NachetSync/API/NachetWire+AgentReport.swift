import Foundation

extension NachetWire {
    /// `POST /agent-report`'s route (an extension of `serve`; Nachet's
    /// backend has none, and an older `serve` answers 404).
    package static let agentReportPath = "/agent-report"

    /// What a watching agent tells `serve` of itself (an extension): sent
    /// every report interval and when it changes, with the PC's token, which
    /// names the PC. Bounded (``Limits``), never a secret: paths, counts,
    /// and the one-line reasons `nachet-sync status` shows the technician.
    ///
    /// Times are said as seconds ago, not as the PC's clock reads them: a PC
    /// whose clock is off reports the same as one whose clock is right.
    package struct AgentReport: Codable, Sendable, Equatable {
        /// The agent's version (``NachetSyncVersion``).
        package var version: String
        /// The PC's host name.
        package var host: String
        /// The drop folders the agent watches.
        package var drop_folders: [String]
        /// Pictures stored since the agent started.
        package var uploaded_since_start: Int
        /// Seconds since the last picture was stored; `nil` before the
        /// first since the agent started.
        package var last_upload_seconds_ago: Double?
        /// Images not stored yet, in every folder (waiting to be stable,
        /// their folder waiting or in error, failed).
        package var files_waiting: Int
        /// Their bytes.
        package var bytes_waiting: Int64
        /// Set folders waiting for their `metadata.json` or ready marker.
        package var folders_pending: Int
        /// Set folders a person must fix (metadata with mistakes, a set that
        /// cannot be prepared, files failed).
        package var folders_in_error: Int
        /// The folders in error, then those pending, each with its reason;
        /// at most ``Limits/folders``.
        package var folders: [Folder]
        /// What keeps the agent from working now (a store it cannot reach, a
        /// drop folder missing, a pass stopped).
        package var outages: [Outage]

        /// A set folder that is not simply uploading or done.
        package struct Folder: Codable, Sendable, Equatable {
            /// The folder's full path on the PC.
            package var path: String
            /// Where it stands, in one word (``FolderStatus/Condition``):
            /// `waiting`, `invalid`, `failed` or `errors`.
            package var status: String
            /// The status and what it means, as `nachet-sync status` says it.
            package var headline: String
            /// The last problem, with the fix the technician sees; `nil` for
            /// a folder only waiting.
            package var reason: String?
            /// Its images not stored yet.
            package var files_waiting: Int

            package init(path: String, status: String, headline: String, reason: String?, files_waiting: Int) {
                self.path = path
                self.status = status
                self.headline = headline
                self.reason = reason
                self.files_waiting = files_waiting
            }
        }

        /// One thing keeping the agent from working.
        package struct Outage: Codable, Sendable, Equatable {
            /// What, in a short phrase with its cause (`Nachet API unreachable
            /// (connection refused)`, `drop folder missing: /srv/seed-drop`).
            package var problem: String
            /// How long it has lasted, when known.
            package var for_seconds: Double?

            package init(problem: String, for_seconds: Double?) {
                self.problem = problem
                self.for_seconds = for_seconds
            }
        }

        /// How much a report may hold: the agent cuts to these, the server
        /// refuses more.
        package enum Limits {
            /// The largest body, in bytes.
            package static let bodyBytes = 64 << 10
            /// Folders listed (the counts cover every folder).
            package static let folders = 20
            /// Outages listed.
            package static let outages = 10
            /// Drop folders listed.
            package static let dropFolders = 20
            /// Characters of a reason or an outage.
            package static let reason = 400
            /// Characters of a path, a headline, a host name or a version.
            package static let text = 255
        }

        package init(
            version: String, host: String, drop_folders: [String], uploaded_since_start: Int, last_upload_seconds_ago: Double?,
            files_waiting: Int, bytes_waiting: Int64, folders_pending: Int, folders_in_error: Int, folders: [Folder], outages: [Outage]
        ) {
            self.version = version
            self.host = host
            self.drop_folders = drop_folders
            self.uploaded_since_start = uploaded_since_start
            self.last_upload_seconds_ago = last_upload_seconds_ago
            self.files_waiting = files_waiting
            self.bytes_waiting = bytes_waiting
            self.folders_pending = folders_pending
            self.folders_in_error = folders_in_error
            self.folders = folders
            self.outages = outages
        }

        /// This report with every list and text cut to ``Limits``.
        package var bounded: AgentReport {
            var report = self
            report.version = Self.cut(version, to: Limits.text)
            report.host = Self.cut(host, to: Limits.text)
            report.drop_folders = drop_folders.prefix(Limits.dropFolders).map { Self.cut($0, to: Limits.text) }
            report.folders = folders.prefix(Limits.folders).map { folder in
                Folder(
                    path: Self.cut(folder.path, to: Limits.text), status: Self.cut(folder.status, to: Limits.text),
                    headline: Self.cut(folder.headline, to: Limits.text), reason: folder.reason.map { Self.cut($0, to: Limits.reason) },
                    files_waiting: folder.files_waiting)
            }
            report.outages = outages.prefix(Limits.outages).map {
                Outage(problem: Self.cut($0.problem, to: Limits.reason), for_seconds: $0.for_seconds)
            }
            return report
        }

        /// `text` on one line (control characters escaped), at most `limit`
        /// characters, an ellipsis ending one cut.
        static func cut(_ text: String, to limit: Int) -> String {
            let line = text.escapingControlCharacters
            return line.count <= limit ? line : String(line.prefix(limit - 1)) + "…"
        }
    }

    /// `POST /agent-report`'s answer: when to report next at the latest.
    package struct AgentReportAnswer: Codable, Sendable, Equatable {
        /// Seconds until the next report, unless something changes before:
        /// the server's quiet time decides it.
        package var report_interval_seconds: Double

        package init(report_interval_seconds: Double) {
            self.report_interval_seconds = report_interval_seconds
        }
    }
}
