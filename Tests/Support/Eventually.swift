import Foundation
import NachetSync
import Synchronization

/// Polls until `condition` holds, for at most `limit`: the tests' way to wait
/// for something another task or process does, never a timing assertion. The
/// limit is generous: a loaded 2-core CI machine can stall a pass for long.
/// - Parameter interval: Time between two looks (shorter for a test that
///   waits for thousands of quick events).
/// - Returns: Whether it held in time.
package func eventually(
    within limit: Duration = .seconds(60), every interval: Duration = .milliseconds(50), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: interval)
    }
    return try await condition()
}

/// Polls `value` until it stays the same for `span` (a server that has
/// written all it will until its clients read), for at most `limit`.
/// - Returns: Whether it settled in time.
package func settles<Value: Equatable>(
    for span: Duration = .seconds(1), within limit: Duration = .seconds(60), _ value: () async throws -> Value
) async throws -> Bool {
    var last = try await value()
    var since = ContinuousClock.now
    return try await eventually(within: limit) {
        let now = try await value()
        if now != last {
            last = now
            since = ContinuousClock.now
        }
        return ContinuousClock.now - since >= span
    }
}

/// Runs `watcher` while `body` runs, then stops it as SIGTERM would.
/// `body` starts once the watcher's first scan is done and its folders are
/// watched, however long a loaded machine takes to get there.
package func whileRunning(_ watcher: DropFolderWatcher, _ body: () async throws -> Void) async throws {
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
package struct WatcherNotReady: Error, CustomStringConvertible {
    package var description: String { "the watcher did not finish its first scan within 120 s" }
}

/// A flag one task sets and another reads.
package final class Flag: Sendable {
    private let value = Mutex(false)

    package init() {}

    package var isSet: Bool { value.withLock { $0 } }

    package func set() { value.withLock { $0 = true } }
}
