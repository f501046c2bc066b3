import Foundation
import Hummingbird
import NIOCore
import NachetSync

/// Takes in upload bodies: a small image of declared size is received in
/// memory and stored from there; any other is streamed to the spool. The
/// bytes small images hold at once are bounded (``memoryBudgetKiB``): an
/// image that finds the budget taken goes to the spool instead, so a
/// client sending its bodies slowly holds memory but never holds up the
/// other requests.
///
/// Memory saves a spool file's creation, write, read and removal per
/// picture: with many small pictures, those cost more than the rest of the
/// request.
struct UploadReceiver: Sendable {
    /// The largest image received in memory.
    static let largestInMemory = 4 << 20
    /// The bytes of images received in memory at once, in KiB.
    static let memoryBudgetKiB = 16 << 10

    let spool: SpoolDirectory
    let blobStore: any BlobStore
    private let memory: AsyncPermits

    init(spool: SpoolDirectory, blobStore: any BlobStore, memoryBudgetKiB: Int = Self.memoryBudgetKiB) {
        self.spool = spool
        self.blobStore = blobStore
        memory = AsyncPermits(memoryBudgetKiB)
    }

    /// Whether an image of `size` bytes is kept in memory: small, and
    /// stored by the blob store from memory without sending it ahead.
    func keepsInMemory(size: Int) -> Bool {
        size <= Self.largestInMemory && !blobStore.stagingPlan(forSize: Int64(size)).sendsBytes
    }

    /// Receives `body`, of `declaredSize` bytes when the request said so,
    /// and hands the image to `use` while its memory is held.
    func receive<Result>(
        _ body: RequestBody,
        declaredSize: Int?,
        _ use: (ReceivedImage) async throws -> Result
    ) async throws -> Result {
        let kibibytes = declaredSize.map { max(1, ($0 + 1023) >> 10) } ?? 0
        guard let declaredSize, keepsInMemory(size: declaredSize), memory.tryAcquire(kibibytes) else {
            return try await use(try await ReceivedImage.spooling(body, to: spool))
        }
        defer { memory.release(kibibytes) }
        let buffer = try await body.collect(upTo: declaredSize)
        return try await use(await ReceivedImage.hashing(buffer))
    }

    /// Takes bytes a request already holds in memory (a decoded data URL):
    /// kept there when small, else spooled.
    func receive(_ data: Data) async throws -> ReceivedImage {
        guard keepsInMemory(size: data.count) else { return try await ReceivedImage.spooling(data, to: spool) }
        return await ReceivedImage.hashing(ByteBuffer(bytes: data))
    }
}
