import Foundation

extension NachetWire {
    /// `POST /agent-report`'s route (an extension of `serve`; Nachet's
    /// backend has none, and an older `serve` answers 404).
    public static let agentReportPath = "/agent-report"

    /// What a watching agent tells `serve` of itself (an extension): sent
    /// every report interval and when it changes, with the PC's token, which
    /// names the PC. Bounded (``Limits``), never a secret: paths, counts,
    /// and the one-line reasons `nachet-sync status` shows the technician.
    ///
    /// Times are said as seconds ago, not as the PC's clock reads them: a PC
    /// whose clock is off reports the same as one whose clock is right.
    public struct AgentReport: Codable, Sendable, Equatable {
        /// The agent's version (``NachetSyncVersion``).
        public var version: String
        /// The PC's host name.
        public var host: String
        /// The drop folders the agent watches.
        public var drop_folders: [String]
        /// Pictures stored since the agent started.
        public var uploaded_since_start: Int
        /// Seconds since the last picture was stored; `nil` before the
        /// first since the agent started.
        public var last_upload_seconds_ago: Double?
        /// Images not stored yet, in every folder (waiting to be stable,
        /// their folder waiting or in error, failed).
        public var files_waiting: Int
        /// Their bytes.
        public var bytes_waiting: Int64
        /// Set folders waiting for their `metadata.json` or ready marker.
        public var folders_pending: Int
        /// Set folders a person must fix (metadata with mistakes, a set that
        /// cannot be prepared, files failed).
        public var folders_in_error: Int
        /// The folders in error, then those pending, each with its reason;
        /// at most ``Limits/folders``.
        public var folders: [Folder]
        /// What keeps the agent from working now (a store it cannot reach, a
        /// drop folder missing, a pass stopped).
        public var outages: [Outage]

        /// A set folder that is not simply uploading or done.
        public struct Folder: Codable, Sendable, Equatable {
            /// The folder's full path on the PC.
            public var path: String
            /// Where it stands, in one word (``FolderStatus/Condition``):
            /// `waiting`, `invalid`, `failed` or `errors`.
            public var status: String
            /// The status and what it means, as `nachet-sync status` says it.
            public var headline: String
            /// The last problem, with the fix the technician sees; `nil` for
            /// a folder only waiting.
            public var reason: String?
            /// Its images not stored yet.
            public var files_waiting: Int

            public init(path: String, status: String, headline: String, reason: String?, files_waiting: Int) {
                self.path = path
                self.status = status
                self.headline = headline
                self.reason = reason
                self.files_waiting = files_waiting
            }
        }

        /// One thing keeping the agent from working.
        public struct Outage: Codable, Sendable, Equatable {
            /// What, in a short phrase with its cause (`Nachet API unreachable
            /// (connection refused)`, `drop folder missing: /srv/seed-drop`).
            public var problem: String
            /// How long it has lasted, when known.
            public var for_seconds: Double?

            public init(problem: String, for_seconds: Double?) {
                self.problem = problem
                self.for_seconds = for_seconds
            }
        }

        /// How much a report may hold: the agent cuts to these, the server
        /// refuses more.
        public enum Limits {
            /// The largest body, in bytes.
            public static let bodyBytes = 64 << 10
            /// Folders listed (the counts cover every folder).
            public static let folders = 20
            /// Outages listed.
            public static let outages = 10
            /// Drop folders listed.
            public static let dropFolders = 20
            /// Characters of a reason or an outage.
            public static let reason = 400
            /// Characters of a path, a headline, a host name or a version.
            public static let text = 255
        }

        public init(
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
        public var bounded: AgentReport {
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
    public struct AgentReportAnswer: Codable, Sendable, Equatable {
        /// Seconds until the next report, unless something changes before:
        /// the server's quiet time decides it.
        public var report_interval_seconds: Double

        public init(report_interval_seconds: Double) {
            self.report_interval_seconds = report_interval_seconds
        }
    }
}
