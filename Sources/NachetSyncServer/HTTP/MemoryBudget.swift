import Foundation
import Hummingbird
import NIOCore
import NachetSync

/// Bytes one kind of work may hold in memory at once (JSON request bodies;
/// pieces of `/get-picture` answers), counted in KiB: work that finds the
/// budget taken waits, in order of arrival, until enough is given back.
///
/// A request body takes its share as its bytes arrive
/// (``collect(_:upTo:expecting:_:)``), never what it declares: a client
/// that declares 16 MiB and sends them slowly holds only what it sent, so
/// it cannot keep a small upload waiting.
struct MemoryBudget: Sendable {
    /// The bytes there are.
    let bytes: Int
    private let permits: AsyncPermits

    init(bytes: Int) {
        self.bytes = bytes
        permits = AsyncPermits(Self.kibibytes(bytes))
    }

    /// Runs `work` holding `count` bytes of the budget, once they are free.
    func holding<Result>(_ count: Int, _ work: () async throws -> Result) async rethrows -> Result {
        try await permits.withPermit(Self.kibibytes(count), work)
    }

    /// Reads `body` whole (at most `limit` bytes, `declared` when the
    /// request says so), taking its share of the budget as bytes arrive,
    /// and runs `use` with the bytes before giving the share back.
    ///
    /// - Important: The budget must be at least `limit`, or a body near the
    ///   limit could wait for ever (``ServerSettings/check()``).
    /// - Throws: `NIOTooManyBytesError` past `limit`; what reading the body
    ///   or `use` throws.
    func collect<Result>(
        _ body: RequestBody, upTo limit: Int, expecting declared: Int?, _ use: (ByteBuffer) async throws -> Result
    ) async throws -> Result {
        var held = 0
        defer { if held > 0 { permits.release(held) } }
        var buffer = ByteBuffer()
        // Reserved, not touched: only the pages written become resident.
        if let declared, declared <= limit { buffer.reserveCapacity(declared) }
        for try await piece in body {
            let size = buffer.readableBytes + piece.readableBytes
            guard size <= limit else { throw NIOTooManyBytesError(maxBytes: limit) }
            let needed = Self.kibibytes(size)
            if needed > held {
                await permits.acquire(needed - held)
                held = needed
            }
            buffer.writeImmutableBuffer(piece)
        }
        return try await use(buffer)
    }

    private static func kibibytes(_ bytes: Int) -> Int { max(1, (bytes + 1023) >> 10) }
}
