import Foundation
import Hummingbird
import NIOCore
import NachetSync
import NachetSyncTestSupport
import Synchronization
import Testing

@testable import NachetSyncServer

/// Where `serve` puts an upload's bytes: small images of declared size in
/// memory, within a budget; the rest in the spool.
@Suite("serve: receiving upload bodies")
struct UploadReceiverTests {
    private static func receiver(in directory: TemporaryDirectory, budgetKiB: Int) throws -> UploadReceiver {
        UploadReceiver(
            spool: try SpoolDirectory(path: directory.appending("spool")),
            blobStore: try LocalBlobStore(root: directory.appending("blobs")), memoryBudgetKiB: budgetKiB)
    }

    private static func body(_ bytes: Data) -> RequestBody { RequestBody(buffer: ByteBuffer(bytes: bytes)) }

    private static func isInMemory(_ image: ReceivedImage) -> Bool {
        if case .memory = image.bytes { return true }
        return false
    }

    /// An image that finds the memory budget taken (a client sending its
    /// body slowly holds it) is spooled at once instead of waiting: a slow
    /// client never holds up the others. Both arrive whole, hashed.
    @Test func anImageFindingTheMemoryTakenIsSpooledInsteadOfWaiting() async throws {
        let directory = TemporaryDirectory()
        let receiver = try Self.receiver(in: directory, budgetKiB: 64)
        let first = DropFolderBuilder.imageBytes(seed: 1, size: 48 << 10)
        let second = DropFolderBuilder.imageBytes(seed: 2, size: 48 << 10)
        let holding = Flag()
        let release = Flag()
        let held = Task {
            try await receiver.receive(Self.body(first), declaredSize: first.count) { image in
                holding.set()
                while !release.isSet { try await Task.sleep(for: .milliseconds(10)) }
                return (Self.isInMemory(image), image.sha256.hex)
            }
        }
        #expect(try await eventually { holding.isSet })

        let secondDone = Flag()
        let secondTask = Task {
            defer { secondDone.set() }
            return try await receiver.receive(Self.body(second), declaredSize: second.count) { image in
                (Self.isInMemory(image), image.sha256.hex)
            }
        }
        #expect(try await eventually { secondDone.isSet }, "received while the first still holds the memory")
        release.set()
        let (secondInMemory, secondHash) = try await secondTask.value
        #expect(!secondInMemory, "the budget was taken: spooled, not waited for")
        #expect(secondHash == second.sha256)

        let (firstInMemory, firstHash) = try await held.value
        #expect(firstInMemory && firstHash == first.sha256)

        // The budget is back: the next small image is kept in memory again.
        let third = DropFolderBuilder.imageBytes(seed: 3, size: 48 << 10)
        #expect(try await receiver.receive(Self.body(third), declaredSize: third.count) { Self.isInMemory($0) })
    }

    /// Without a declared size, or over the in-memory limit, the body is spooled.
    @Test func aBodyOfUnknownOrLargeSizeIsSpooled() async throws {
        let directory = TemporaryDirectory()
        let receiver = try Self.receiver(in: directory, budgetKiB: UploadReceiver.memoryBudgetKiB)
        let small = DropFolderBuilder.imageBytes(seed: 4, size: 1_000)
        #expect(try await receiver.receive(Self.body(small), declaredSize: nil) { !Self.isInMemory($0) && $0.sha256.hex == small.sha256 })
        let large = DropFolderBuilder.imageBytes(seed: 5, size: UploadReceiver.largestInMemory + 1)
        #expect(try await receiver.receive(Self.body(large), declaredSize: large.count) { !Self.isInMemory($0) && $0.size == Int64(large.count) })
    }
}
