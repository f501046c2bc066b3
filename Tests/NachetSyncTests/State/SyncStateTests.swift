import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// The state file is private.
@Suite("state file")
struct SyncStateTests {
    @Test func theStateFileAndItsWALAndSharedMemoryAre0600() throws {
        let directory = TemporaryDirectory()
        let state = try SyncState(directory: directory.appending("state"))

        let modes = FileModes.everything(under: directory.appending("state"))

        #expect(Set(modes.keys) == ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm"])
        #expect(modes.values.allSatisfy { $0 == 0o600 }, "\(modes)")
        #expect(FileModes.of(directory.appending("state")) == 0o700)
        _ = state
    }
}
