import Foundation
import Glibc
import NachetSyncTestSupport
import Synchronization

/// The built agent, run as a user runs it, uploading through a `serve`
/// (`--nachet-url`) with a state directory of its own.
struct ClientAgent {
    let url: String
    let state: String
    var token: String?
    var extraArguments: [String] = []

    /// `nachet-sync sync DROP` through the API.
    /// - Parameter onStart: Called with the child's process id once it runs.
    func sync(_ drop: String, timeout: Duration = .seconds(900), onStart: @escaping (Int32) -> Void = { _ in }) async throws -> AgentRun {
        try await AgentRun.run(
            ServeProcess.executable,
            ["sync", "--state-dir", state, "--nachet-url", url] + extraArguments + [drop],
            environment: token.map { ["NACHET_SYNC_TOKEN": $0] } ?? [:],
            timeout: timeout,
            onStart: onStart
        )
    }

    /// `nachet-sync watch DROP` through the API, until stopped by a signal.
    func watch(_ drop: String, onStart: @escaping (Int32) -> Void) async throws -> AgentRun {
        try await AgentRun.run(
            ServeProcess.executable,
            ["watch", "--state-dir", state, "--nachet-url", url, "--stability-window", "0"] + extraArguments + [drop],
            environment: token.map { ["NACHET_SYNC_TOKEN": $0] } ?? [:],
            timeout: .seconds(600),
            onStart: onStart
        )
    }
}

/// A process id given by one task and read by another.
final class ProcessIDBox: Sendable {
    private let value = Mutex<Int32?>(nil)

    func set(_ pid: Int32) { value.withLock { $0 = pid } }
    var pid: Int32? { value.withLock { $0 } }
}

/// A drop folder of `count` small valid images (PNG-framed, distinct bytes)
/// in one set folder `name` of the technician.
func makeDropFolder(in directory: TemporaryDirectory, name: String = "lot-1", count: Int, size: Int = 1024, seedOffset: UInt64 = 0) throws -> String {
    let drop = directory.appending("drop-\(name)")
    let builder = DropFolderBuilder(root: drop)
    _ = try builder.makeSet(name, metadata: DropFolderBuilder.metadata())
    for index in 0..<count {
        _ = try builder.writeImage(String(format: "img-%05d.png", index), in: name, seed: seedOffset + UInt64(index) + 1, size: size)
    }
    return drop
}
