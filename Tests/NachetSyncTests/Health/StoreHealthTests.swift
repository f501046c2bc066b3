import Foundation
import Logging
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// Failures said at once, once per cause; recovery said once.
@Suite("store health")
struct StoreHealthTests {
    @Test func eachNewCauseAndRetryIsAWarningTheSameAgainOnlyDebugAndTheRecoveryANotice() {
        let log = CapturedLog()
        let health = StoreHealth(logger: log.logger(level: .debug))

        for _ in 0..<32 { health.retrying(.blobStore, cause: "connection refused", place: "Azure Blob Storage at h", retryingFor: .seconds(60)) }
        health.retrying(.blobStore, cause: "answered 503 ServerBusy", place: "Azure Blob Storage at h", retryingFor: .seconds(60))

        let warnings = log.messages.filter { $0.hasPrefix("warning: ") }
        #expect(
            warnings == [
                "warning: cannot reach the blob store (Azure Blob Storage at h): connection refused; retrying for up to 60 s (--give-up-after)",
                "warning: cannot reach the blob store (Azure Blob Storage at h): answered 503 ServerBusy; retrying for up to 60 s (--give-up-after)",
            ])
        #expect(log.messages.filter { $0.hasPrefix("debug: ") }.count == 31)
        #expect(health.troubles.map(\.cause) == ["answered 503 ServerBusy"])

        // A further retry is said again, with its number, once.
        for _ in 0..<32 {
            health.retrying(.blobStore, cause: "connection refused", place: "Azure Blob Storage at h", retryingFor: .seconds(60), retry: 2)
        }
        #expect(
            log.messages.filter { $0.hasPrefix("warning: ") }.last
                == "warning: cannot reach the blob store (Azure Blob Storage at h): connection refused; retrying for up to 60 s (--give-up-after), retry 2")
        #expect(log.messages.filter { $0.hasPrefix("warning: ") }.count == 3)

        health.answered(.blobStore)
        health.answered(.blobStore)
        #expect(log.messages.filter { $0.hasPrefix("notice: the blob store answers again") }.count == 1, "\(log.messages)")
        #expect(health.troubles.isEmpty)

        // A new outage is said again.
        health.retrying(.blobStore, cause: "connection refused", place: "Azure Blob Storage at h", retryingFor: .seconds(60))
        #expect(log.messages.filter { $0.hasPrefix("warning: ") }.count == 4)
    }

    @Test func theStatusLineShowsWhatKeepsTheAgentFromWorking() {
        var status = WatchStatus(dropDirectories: ["/srv/a", "/srv/b"])
        status.uploadedSinceStart = 12
        #expect(status.line == "watching /srv/a, /srv/b: 12 pictures uploaded since start")
        status.missingDropDirectories = ["/srv/b"]
        status.stoppedBy = "cannot reach Azure Blob Storage at h: connection refused (tried for 60 s)"
        #expect(
            status.line
                == "watching /srv/a, /srv/b: 12 pictures uploaded since start; drop folder missing: /srv/b; paused: cannot reach Azure Blob Storage at h: connection refused (tried for 60 s)"
        )
        status.troubles = [StoreHealth.Trouble(store: .blobStore, cause: "connection refused", since: Date())]
        #expect(status.problems.last?.hasPrefix("blob store unreachable since ") == true)
        #expect(status.problems.last?.hasSuffix(" (connection refused)") == true)
        #expect(!status.line.contains("paused"), "the store's trouble says it better")
    }
}
