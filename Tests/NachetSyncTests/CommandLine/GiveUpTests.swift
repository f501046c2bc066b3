import Foundation
import Logging
import NachetSync
import NachetSyncTestSupport
import Testing

/// `sync` against a catalogue or blob store that cannot be reached: every
/// retry said at once (warning level, with its cause), and the sync given
/// up within `--give-up-after` with exit code 3 and the reason.
@Suite("sync: an unreachable store is said at once and given up on")
struct GiveUpTests {
    /// How the store cannot be reached.
    enum Unreachable: String, CaseIterable, CustomTestStringConvertible {
        /// Nothing listens: connections are refused.
        case refusing
        /// A listener accepts connections and never answers.
        case silent

        var testDescription: String { rawValue }
    }

    /// Whether `log` (the agent's text log) has a line at `level` holding `message`.
    static func logged(_ level: Logger.Level, _ message: String, in log: String) -> Bool {
        log.split(separator: "\n").contains { $0.contains(" \(level) ") && $0.contains(message) }
    }

    /// A drop folder with one set of one image, a user registered in the
    /// embedded catalogue, and the port of an unreachable server.
    private func prepare(_ unreachable: Unreachable) async throws -> (TemporaryDirectory, DropFolderBuilder, Int, SilentListener?) {
        let directory = TemporaryDirectory()
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try drop.writeImage("a.png", in: "lot-1", seed: 1)
        let add = try await CommandLineTests().run(["user", "add", "--state-dir", directory.appending("state"), "tech@lab.example"])
        #expect(add.status == 0, "\(add.errors)")
        switch unreachable {
        case .refusing:
            return (directory, drop, try SilentListener.refusingPort(), nil)
        case .silent:
            let listener = try SilentListener()
            return (directory, drop, listener.port, listener)
        }
    }

    @Test(arguments: Unreachable.allCases)
    func anUnreachableBlobStoreIsSaidAtOnceAndGivenUpOnWithExitCode3(_ unreachable: Unreachable) async throws {
        let (directory, drop, port, listener) = try await prepare(unreachable)
        let store =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=\(AzureEmulator.accountKey);"
            + "BlobEndpoint=http://127.0.0.1:\(port)/devstoreaccount1;"

        let sync = try await CommandLineTests().run(
            ["sync", "--state-dir", directory.appending("state"), "--give-up-after", "2", drop.root],
            environment: ["NACHET_STORAGE_URL": store], timeout: .seconds(120))

        let cause = unreachable == .refusing ? "connection refused" : "no answer within 2 s"
        #expect(sync.status == 3, "\(sync.errors)")
        if unreachable == .refusing {
            // Refused at once, so retried: each new cause said at warning level.
            #expect(
                Self.logged(
                    .warning, "cannot reach the blob store (Azure Blob Storage at 127.0.0.1): \(cause); retrying for up to 2 s (--give-up-after)",
                    in: sync.errors), "\(sync.errors)")
        }
        #expect(sync.errors.contains("nachet-sync: error: cannot reach Azure Blob Storage at 127.0.0.1: \(cause)"), "\(sync.errors)")
        #expect(!(sync.output + sync.errors).contains(AzureEmulator.accountKey))
        withExtendedLifetime(listener) {}
    }

    @Test(arguments: Unreachable.allCases)
    func anUnreachableCatalogueIsSaidAtOnceAndGivenUpOnWithExitCode3(_ unreachable: Unreachable) async throws {
        let (directory, drop, port, listener) = try await prepare(unreachable)
        let catalogue = "postgresql://nachet:s3cret-pw@127.0.0.1:\(port)/nachet"

        let sync = try await CommandLineTests().run(
            ["sync", "--state-dir", directory.appending("state"), drop.root],
            environment: ["NACHET_DB_URL": catalogue, "NACHET_SYNC_GIVE_UP_AFTER": "2"], timeout: .seconds(120))

        let cause = unreachable == .refusing ? "Connection refused" : "timeout expired"
        #expect(sync.status == 3, "\(sync.errors)")
        if unreachable == .refusing {
            #expect(
                Self.logged(.warning, "cannot reach the catalogue (PostgreSQL postgresql://nachet:***@127.0.0.1:\(port)/nachet)", in: sync.errors),
                "\(sync.errors)")
        }
        #expect(sync.errors.contains("nachet-sync: error: cannot reach PostgreSQL postgresql://nachet:***@127.0.0.1:\(port)/nachet"), "\(sync.errors)")
        #expect(sync.errors.contains(cause), "\(sync.errors)")
        #expect(sync.errors.contains("(--give-up-after gives it longer)"), "\(sync.errors)")
        #expect(!(sync.output + sync.errors).contains("s3cret-pw"))
        withExtendedLifetime(listener) {}
    }

    @Test func seedsFailsWithABlobStoreItCannotReach() async throws {
        let directory = TemporaryDirectory()
        let port = try SilentListener.refusingPort()
        let store =
            "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=\(AzureEmulator.accountKey);"
            + "BlobEndpoint=http://127.0.0.1:\(port)/devstoreaccount1;"

        let seeds = try await CommandLineTests().run(
            ["seeds", "--state-dir", directory.appending("state"), "--give-up-after", "1"],
            environment: ["NACHET_STORAGE_URL": store], timeout: .seconds(60))

        #expect(seeds.status == 3, "\(seeds.output)\(seeds.errors)")
        #expect(seeds.errors.contains("nachet-sync: error: cannot reach Azure Blob Storage at 127.0.0.1: connection refused"), "\(seeds.errors)")
        #expect(!(seeds.output + seeds.errors).contains(AzureEmulator.accountKey))
    }
}
