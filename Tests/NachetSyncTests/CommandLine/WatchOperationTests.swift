import Foundation
import Logging
import NachetSync
import NachetSyncTestSupport
import Testing

/// `watch` never looks healthy while it cannot work: a missing drop folder
/// and an unreachable blob store are said at once (warning level, with the
/// fix), shown in systemd's `STATUS=` line until they are over, and said
/// when they are.
@Suite("watch: problems said at once and shown in STATUS=")
struct WatchOperationTests {
    @Test func aMissingDropFolderIsWarnedAboutWithTheFixAndShownUntilItComes() async throws {
        let directory = TemporaryDirectory()
        let drop = directory.appending("drop")
        let watch = try RunningWatch(arguments: ["--state-dir", directory.appending("state"), drop], directory: directory)

        #expect(try await eventually { watch.messages.contains { $0.hasPrefix("READY=1\n") } }, "\(watch.log)")
        #expect(
            GiveUpTests.logged(
                .warning, "the drop folder \(drop) does not exist: create it, mount the share, or fix the path", in: watch.log), "\(watch.log)")
        #expect(watch.status?.contains("drop folder missing: \(drop)") == true, "\(watch.messages)")

        try FileManager.default.createDirectory(atPath: drop, withIntermediateDirectories: true)
        #expect(try await eventually { watch.log.contains("the drop folder is back") }, "\(watch.log)")
        #expect(try await eventually { watch.status?.contains("missing") == false }, "\(watch.messages)")
        #expect(try await watch.stop() == 0)
        #expect(watch.log.components(separatedBy: "does not exist").count == 2, "said once: \(watch.log)")
    }

    @Test func anUnreachableBlobStoreIsSaidOnceShownInStatusAndSaidWhenItAnswersAgain() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        // The user is registered while the emulator answers; it then answers
        // every request 503 ServerBusy (a service down behind its front),
        // and later works again. (Stopping it and starting it again on its
        // port would race other tests' listeners for the port; a refused
        // connection is `sync`'s test, GiveUpTests.)
        let emulator = try await AzureEmulator.start()
        let environment = ["NACHET_STORAGE_URL": emulator.connectionString]
        #expect(try await CommandLineTests().run(["user", "add", "--state-dir", state, "tech@lab.example"], environment: environment).status == 0)
        emulator.setFaults { $0.failureRate = 1 }
        try drop.writeImage("a.png", in: "lot-1", seed: 1)

        let watch = try RunningWatch(
            arguments: ["--state-dir", state, "--stability-window", "0", "--give-up-after", "2", drop.root], environment: environment,
            directory: directory)

        #expect(
            try await eventually {
                GiveUpTests.logged(.warning, "cannot reach the blob store (Azure Blob Storage at 127.0.0.1): answered 503 ServerBusy", in: watch.log)
            }, "\(watch.log)")
        #expect(try await eventually { watch.status?.contains("blob store unreachable since ") == true }, "\(watch.messages)")
        #expect(try await eventually { GiveUpTests.logged(.error, "cannot reach Azure Blob Storage at 127.0.0.1", in: watch.log) }, "\(watch.log)")

        emulator.setFaults { $0.failureRate = 0 }
        #expect(try await eventually { watch.log.contains("the blob store answers again") }, "\(watch.log)")
        // The picture, and the set's folder marker (retried until stored).
        let blobs = { emulator.containerNames.flatMap { emulator.blobNames(container: $0) } }
        #expect(
            try await eventually { blobs().filter { !$0.hasSuffix(".json") }.count == 1 && blobs().contains { $0.hasSuffix("lot-1.json") } },
            "\(blobs()) \(watch.log)")
        #expect(try await eventually { watch.status?.contains("unreachable") == false && watch.status?.contains("1 pictures uploaded") == true }, "\(watch.messages)")
        #expect(try await watch.stop() == 0)
        // Each retry said once with its cause (32 uploads failing together
        // make one line a retry), and the passes after the give-up say
        // nothing again for the same cause and retry; the give-up itself once.
        let lines = watch.log.split(separator: "\n")
        let warnings = lines.filter { $0.contains(" warning ") && $0.contains("cannot reach the blob store") }
        let said = warnings.map { $0.split(separator: " ", maxSplits: 3).last ?? "" }
        #expect(!warnings.isEmpty && Set(said).count == said.count, "no cause said twice at one retry: \(watch.log)")
        let givenUp = lines.filter { $0.contains(" error ") && $0.contains("cannot reach Azure Blob Storage") }
        #expect(Set(givenUp.map { $0.split(separator: " ", maxSplits: 2).last ?? "" }).count == givenUp.count, "\(watch.log)")
        await emulator.stop()
    }
}
