import Foundation

/// Reads each picture's file once for its destination: the one owner of
/// hashing on the agent's side (``FingerprintedContent/read(_:plan:into:)``,
/// on the blocking pool), with the two bounds reading needs.
///
/// - **Files read at once**: all cores but one, which is left to the uploads
///   (sending, and the service's checks when it runs on this machine).
///   Hashing is CPU-bound, so more at once would finish no sooner, and would
///   hold every file's upload back until all of them are hashed; this way a
///   file is sent while the next one is hashed.
/// - **Memory**: the bytes of small files kept from their read to their
///   upload (``StagingPlan/keepsInMemoryUpTo``) are bounded, whatever the
///   number of pictures in flight.
struct PictureReader: Sendable {
    /// Files read and hashed at the same time.
    static var filesReadAtOnce: Int {
        max(1, ProcessInfo.processInfo.activeProcessorCount - 1)
    }

    /// The memory kept files may hold at once, in MiB: with many pictures
    /// in flight (a far datastore), this is what bounds the memory.
    static let keptMemoryMiB = 16

    /// The unit kept memory is counted in: a 50 KiB picture holds 13 of
    /// them, so 16 MiB hold 300 such pictures (counted in MiB, they held 16).
    static let keptMemoryUnit = 4 << 10

    private let reading = AsyncPermits(PictureReader.filesReadAtOnce)
    private let keptMemory = AsyncPermits(PictureReader.keptMemoryMiB << 20 / PictureReader.keptMemoryUnit)

    /// Reads `file` as `destination` plans it and runs `body` with its
    /// content, the memory it keeps held until `body` returns.
    func withContent<Result>(
        of file: SourceFile,
        for destination: any Destination,
        _ body: (FingerprintedContent) async throws -> Result
    ) async throws -> Result {
        let size = file.signature.size
        let plan = destination.stagingPlan(forSize: size)
        let kept = size <= Int64(plan.keepsInMemoryUpTo)
        let unit = Int64(Self.keptMemoryUnit)
        let memory = kept ? Int((size + unit - 1) / unit) : 0
        if memory > 0 { await keptMemory.acquire(memory) }
        defer { if memory > 0 { keptMemory.release(memory) } }
        let content = try await reading.withPermit {
            let staging = kept ? nil : try destination.makeStagingFile(expectedSize: size)
            return try await BlockingWork.run { try FingerprintedContent.read(file, plan: plan, into: staging) }
        }
        return try await body(content)
    }
}
