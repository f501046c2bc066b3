import Foundation
import NachetSync
import Synchronization

/// Polls until `condition` holds, for at most `limit`: the tests' way to wait
/// for something another task or process does, never a timing assertion. The
/// limit is generous: a loaded 2-core CI machine can stall a pass for long.
/// - Returns: Whether it held in time.
public func eventually(within limit: Duration = .seconds(60), _ condition: () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// Runs `watcher` while `body` runs, then stops it as SIGTERM would.
/// `body` starts once the watcher's first scan is done and its folders are
/// watched, however long a loaded machine takes to get there.
public func whileRunning(_ watcher: DropFolderWatcher, _ body: () async throws -> Void) async throws {
    let ready = Flag()
    let task = Task { try await watcher.run(onReady: { ready.set() }) }
    defer { task.cancel() }
    guard try await eventually(within: .seconds(120), { ready.isSet }) else {
        throw WatcherNotReady()
    }
    try await body()
    task.cancel()
    _ = await task.result
}

/// The watcher did not finish its first scan in time.
public struct WatcherNotReady: Error, CustomStringConvertible {
    public var description: String { "the watcher did not finish its first scan within 120 s" }
}

/// A flag one task sets and another reads.
public final class Flag: Sendable {
    private let value = Mutex(false)

    public init() {}

    public var isSet: Bool { value.withLock { $0 } }

    public func set() { value.withLock { $0 = true } }
}
