import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// The judgements of `doctor` that need no server: inotify limits, clock
/// skew, and where a setting came from.
@Suite("doctor: judgements")
struct DoctorJudgementTests {
    @Test func inotifyFailsWhenTheFoldersAndTheWatchesInUseExceedTheLimit() {
        let usage = InotifyCheck.Usage(maximumWatches: 8192, maximumInstances: 128, watchesInUse: 8000, instancesInUse: 3)
        let fine = InotifyCheck.judge(folders: 100, usage: usage)
        #expect(fine.passed)
        #expect(fine.description == "✓ inotify: 100 folders to watch; 8192 watches allowed per user (8000 in use), 128 inotify instances (3 in use)")
        let tight = InotifyCheck.judge(folders: 500, usage: usage)
        #expect(!tight.passed)
        #expect(tight.detail.contains("sysctl fs.inotify.max_user_watches=524288"), "\(tight)")
        var full = usage
        full.instancesInUse = 128
        #expect(InotifyCheck.judge(folders: 1, usage: full).detail.contains("max_user_instances=256"))
    }

    @Test func aClockFiveMinutesOffTheServicesFails() throws {
        // Whole seconds, as the Date header has them.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        func response(_ offset: TimeInterval) -> AzureResponse {
            AzureResponse(status: 404, headers: ["date": AzureBlobClient.httpDate(now.addingTimeInterval(offset))], body: Data())
        }
        #expect(BlobStoreCheck.skew(response(0), sent: now, received: now)?.passed == true)
        let behind = try #require(BlobStoreCheck.skew(response(1200), sent: now, received: now))
        #expect(!behind.passed)
        #expect(behind.detail.hasPrefix("this PC's clock is 1200 s behind Azure Blob Storage's"), "\(behind)")
        #expect(behind.detail.contains("timedatectl set-ntp true"))
        #expect(BlobStoreCheck.skew(response(-120), sent: now, received: now)?.detail == "this PC's clock is 120 s ahead of Azure Blob Storage's")
    }

    @Test func aSettingSaysTheFileAndLineItCameFrom() throws {
        let directory = TemporaryDirectory()
        let file = directory.appending("nachet-sync.env")
        try "# the agent\nNACHET_SCHEMA=nachet_0.1.0\n\nNACHET_SYNC_STATUS_FILE=yes\n".write(toFile: file, atomically: true, encoding: .utf8)
        let settings = try Settings.load(file: file, environment: ["NACHET_SCHEMA": "from-env", "NACHET_DB_URL": "postgresql://db/x"])

        #expect(settings.origin(of: "NACHET_SCHEMA") == .file(variable: "NACHET_SCHEMA", path: file, line: 2))
        #expect("\(try #require(settings.origin(of: "NACHET_SYNC_STATUS_FILE")))" == "from NACHET_SYNC_STATUS_FILE in \(file) line 4")
        #expect(settings.origin(of: "NACHET_DB_URL") == .environment(variable: "NACHET_DB_URL"))
        #expect(settings.origin(of: "NACHET_SYNC_READY_MARKER") == nil)
    }
}
