import Foundation
import NachetSync

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
public func whileRunning(_ watcher: DropFolderWatcher, _ body: () async throws -> Void) async throws {
    let task = Task { try await watcher.run() }
    defer { task.cancel() }
    try await body()
    task.cancel()
    _ = await task.result
}
