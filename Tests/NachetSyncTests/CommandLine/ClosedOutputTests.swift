import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// The agent's output read by something that goes away (a pipe into `head`
/// or `tee`, a log shipper that dies): its lines are lost, never its work.
/// The agent starts as systemd starts it, every signal at its default.
@Suite("nachet-sync with no one reading its output")
struct ClosedOutputTests {
    /// The write end of a pipe whose read end is already closed.
    private final class ReaderlessPipe {
        let writeEnd: Int32

        init() throws {
            var ends: [Int32] = [0, 0]
            guard pipe(&ends) == 0 else { throw TestSetupError("cannot make a pipe: errno \(errno)") }
            close(ends[0])
            // Other tests' children must not inherit it.
            _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
            writeEnd = ends[1]
        }

        deinit { close(writeEnd) }
    }

    private func pictures(in state: String) throws -> Int {
        Int(try SQLiteDatabase(path: state + "/catalogue.sqlite").query("SELECT count(*) FROM picture").first?[0].integer ?? -1)
    }

    private func registered(_ directory: TemporaryDirectory) async throws -> String {
        let state = directory.appending("state")
        let add = try await CommandLineTests().run(["user", "add", "--state-dir", state, "tech@lab.example"])
        try #require(add.status == 0, "\(add.errors)")
        return state
    }

    @Test func syncStoresEveryPictureAndExitsAsUsual() async throws {
        let directory = TemporaryDirectory()
        let state = try await registered(directory)
        let drop = directory.appending("drop")
        try FileManager.default.copyItem(atPath: CommandLineTests.examples, toPath: drop)
        let output = try ReaderlessPipe()

        let sync = try SpawnedProcess(
            CommandLineTests.executable, ["sync", "--state-dir", state, drop], output: .descriptor(output.writeEnd),
            error: .descriptor(output.writeEnd))
        try await sync.exit(within: .seconds(300))

        #expect(sync.exitedNormally, "killed by signal \(sync.terminationStatus)")
        #expect(sync.terminationStatus == 2, "the examples' misspelt seed, as with a reader")
        #expect(try pictures(in: state) == 5)
    }

    @Test func watchKeepsUploadingAndStopsCleanly() async throws {
        let directory = TemporaryDirectory()
        let state = try await registered(directory)
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let output = try ReaderlessPipe()

        let watch = try SpawnedProcess(
            CommandLineTests.executable, ["watch", "--state-dir", state, "--stability-window", "0.2", drop.root],
            output: .descriptor(output.writeEnd), error: .descriptor(output.writeEnd))
        // Each picture is logged as it is stored: every one a write to no one.
        for index in 0..<3 {
            _ = try drop.writeImage("img-\(index).png", in: "lot-1", seed: UInt64(index))
            _ = try await eventually(within: .seconds(120)) { try pictures(in: state) == index + 1 || !watch.isRunning }
            try #require(watch.isRunning, "killed by signal \(watch.terminationStatus)")
            #expect(try pictures(in: state) == index + 1, "picture \(index)")
        }

        let status = try await watch.stop()
        #expect(watch.exitedNormally, "killed by signal \(status)")
        #expect(status == 0)
    }
}
