import Foundation
import NachetSyncTestSupport
import Synchronization
import Testing

@testable import NachetSync

/// Stops the engine at the n-th time it reaches one write step, as a kill would.
private final class Interruption: Sendable {
    let step: WriteStep
    let occurrence: Int
    private let seen = Mutex(0)

    init(step: WriteStep, occurrence: Int) {
        self.step = step
        self.occurrence = occurrence
    }

    func hooks() -> SyncEngine.Hooks {
        var hooks = SyncEngine.Hooks()
        hooks.afterWrite = { [self] reached in
            guard reached == step else { return }
            let count = seen.withLock { count in
                count += 1
                return count
            }
            if count == occurrence { throw CancellationError() }
        }
        return hooks
    }
}

/// Where and when a test kills the engine: the first or second time it
/// reaches one of the destination's write steps.
struct Kill: Sendable, CustomTestStringConvertible {
    var destination: DestinationKind
    var step: WriteStep
    var occurrence: Int

    /// Every step of every destination, reached once and twice.
    static let all: [Kill] = DestinationKind.all.flatMap { destination in
        destination.writeSteps.flatMap { step in [1, 2].map { Kill(destination: destination, step: step, occurrence: $0) } }
    }

    var testDescription: String { "\(destination) after \(step) #\(occurrence)" }
}

/// The destination contract suite's crash half: on every destination (each
/// pair of backends, and the API through a real `serve`), a kill after any
/// durable write leaves nothing the next run cannot complete exactly.
@Suite("Crash safety: a kill after any write step, on every destination")
struct CrashSafetyTests {
    @Test(arguments: Kill.all)
    func theNextRunEndsWithExactCountsAndNoOrphans(kill: Kill) async throws {
        let (step, occurrence) = (kill.step, kill.occurrence)
        let datastore = try await TestDatastore.make(kill.destination)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.makeSet("lot-2", metadata: DropFolderBuilder.metadata(seed: "Cirsium arvense"))
        try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        try datastore.drop.writeImage("a-copy.png", in: "lot-1", seed: 1)
        try datastore.drop.writeImage("b.png", in: "lot-1", seed: 2)
        try datastore.drop.writeImage("c.png", in: "lot-2", seed: 3)

        var interrupted = datastore.engine()
        interrupted.hooks = Interruption(step: step, occurrence: occurrence).hooks()
        await #expect(throws: CancellationError.self) {
            _ = try await datastore.sync(interrupted)
        }

        let report = try await datastore.sync()

        #expect(report.errors == 0, "\(report.summary)")
        #expect(try await datastore.rowCount("picture_set") == 3)
        #expect(try await datastore.rowCount("picture") == 3)
        #expect(try await datastore.rowCount("picture_seed") == 3)
        #expect(try await datastore.numberOfImages() == ["General": 0, "lot-1": 2, "lot-2": 1])
        let rows = try await datastore.pictureRows()
        let blobs = datastore.pictureBlobNames()
        #expect(Set(blobs.map { ($0 as NSString).lastPathComponent }) == Set(rows.map(\.id)), "one blob per row, no orphan")
        for row in rows {
            let blob = try #require(blobs.first { $0.hasSuffix("/" + row.id) })
            #expect(try datastore.blobSHA256(blob) == row.json["sha256"] as? String)
        }
        #expect(datastore.blobNames().filter { $0.hasSuffix(".json") }.count == 3, "every set has its folder marker")

        let third = try await datastore.sync()
        #expect(third.filesRead == 0, "after recovery every file is recorded as stored")
    }

    @Test(arguments: DestinationKind.all)
    func eachWriteStepADestinationDeclaresIsReachedInOrder(destination: DestinationKind) async throws {
        let datastore = try await TestDatastore.make(destination)
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        let reached = Mutex<[WriteStep]>([])
        var engine = datastore.engine()
        engine.hooks.afterWrite = { step in reached.withLock { $0.append(step) } }

        _ = try await datastore.sync(engine)

        let steps = reached.withLock { $0 }
        #expect(steps == destination.writeSteps, "each step the destination makes, once, in order; no step where nothing is written")
    }

    @Test func aRowWhoseBlobAndFileAreBothGoneIsReported() async throws {
        let datastore = try await TestDatastore.make()
        try datastore.drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        let image = try datastore.drop.writeImage("a.png", in: "lot-1", seed: 1)
        var interrupted = datastore.engine()
        interrupted.hooks = Interruption(step: .pictureRow, occurrence: 1).hooks()
        await #expect(throws: CancellationError.self) { _ = try await datastore.sync(interrupted) }
        try FileManager.default.removeItem(atPath: image)

        let report = try await datastore.sync()

        let problem = try #require(report.folders.first?.problems.first)
        #expect(problem.contains("a.png"))
        #expect(problem.contains("blob is missing"))
        #expect(problem.contains("put the file back"))
    }
}

extension WriteStep: CustomTestStringConvertible {
    public var testDescription: String { rawValue }
}
