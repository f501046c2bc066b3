import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// What `sync` says while it works when its standard error is not a
/// terminal: a summary line every interval, and no line per file.
@Suite("sync: progress in a log")
struct ProgressTests {
    @Test func aSummaryLineComesEveryIntervalAndNoLinePerFile() async throws {
        // A blob store 50 ms away per request and one picture at a time: the
        // sync lasts seconds, however fast the machine.
        let emulator = try await AzureEmulator.start()
        emulator.setFaults { $0.delay = .milliseconds(50) }
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        for index in 0..<20 { try drop.writeImage("img-\(index).png", in: "lot-1", seed: UInt64(index), size: 20_000) }
        let environment = ["NACHET_STORAGE_URL": emulator.connectionString, "NACHET_SYNC_PROGRESS_INTERVAL": "0.2"]
        #expect(try await CommandLineTests().run(["user", "add", "--state-dir", state, "tech@lab.example"], environment: environment).status == 0)

        let sync = try await CommandLineTests().run(
            ["sync", "--state-dir", state, "--parallel-uploads", "1", drop.root], environment: environment, timeout: .seconds(120))

        #expect(sync.status == 0, "\(sync.errors)")
        #expect(sync.output.contains("1 set, 20 pictures uploaded"), "\(sync.output)")
        let progress = sync.errors.split(separator: "\n").filter { $0.contains(" info ") && $0.contains("progress: ") }
        #expect(progress.count >= 2, "a summary every 0.2 s of a sync of seconds: \(sync.errors)")
        // (Before the drop folder is listed, the set is not counted yet.)
        #expect(
            progress.allSatisfy {
                ($0.contains(" of 1 sets, ") || $0.contains(" 0 of 0 sets, 0 files done")) && $0.contains(" files done (") && $0.contains(" MiB/s, ")
            }, "\(progress)")
        #expect(progress.contains { $0.contains(" of 1 sets, ") }, "\(progress)")
        #expect(!sync.errors.contains("\u{1B}["), "no terminal codes in a file")
        #expect(!sync.errors.contains("picture_id="), "a line per file only at debug level: \(sync.errors)")
        await emulator.stop()
    }
}
