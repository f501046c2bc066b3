import Foundation
import NachetSyncTestSupport
import Testing

@testable import NachetSync

/// The state file: private, and a damaged one said to be safe to move aside.
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

    @Test func aDamagedStateFileIsNamedWithHowToMoveItAsideSafely() throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        let path = state + "/" + SyncState.fileName
        var garbage = [UInt8](repeating: 0, count: 8_192)
        for index in garbage.indices { garbage[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
        try Data(garbage).write(to: URL(fileURLWithPath: path))

        #expect {
            try SyncState(directory: state)
        } throws: { error in
            let message = "\(error)"
            return message.contains("the state file \(path) is damaged") && message.contains("only a cache")
                && message.contains("mv \(path) \(path).damaged") && message.contains("hashing every file again")
                && message.contains("uploads nothing twice")
        }
    }

    @Test func movingADamagedStateFileAsideIsNamedWithItsWALWhenThereIsOne() {
        let directory = TemporaryDirectory()
        let path = directory.appending("state.sqlite")
        #expect(FileManager.default.createFile(atPath: path + "-wal", contents: Data()))

        let error = SyncStateError.cannotUse(path, doing: "open", SQLiteError(code: 26, message: "file is not a database", path: path))

        #expect(error.message.contains("mv \(path) \(path).damaged; mv \(path)-wal \(path)-wal.damaged"))
        #expect(!error.message.contains("-shm"))
    }
}
