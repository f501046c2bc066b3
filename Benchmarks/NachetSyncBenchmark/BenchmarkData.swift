import Foundation
import NachetSync
import NachetSyncTestSupport

/// Drop folders and large files made for a case, in a temporary directory.
enum BenchmarkData {
    static let email = "bench@lab.example"

    /// A drop folder of `count` images of `size` bytes, `perSet` to a set folder.
    static func dropFolder(at root: String, count: Int, size: Int, perSet: Int = 1_000) throws -> Int64 {
        let drop = DropFolderBuilder(root: root)
        for index in 0..<count {
            let set = "set-\(index / perSet)"
            if index % perSet == 0 { _ = try drop.makeSet(set, metadata: DropFolderBuilder.metadata(email: email)) }
            if size > 64 << 20 {
                try writeLargeImage(at: "\(root)/\(set)/img-\(index).png", size: size, seed: UInt64(index))
            } else {
                try drop.writeImage("img-\(index).png", in: set, seed: UInt64(index), size: size)
            }
        }
        return Int64(count) * Int64(size)
    }

    /// The best of three `find -printf '%s %T@'` listings of `tree`: the
    /// floor of a rescan, a stat of every file.
    static func bestFindListingSeconds(of tree: String) throws -> Double {
        try (0..<3).map { _ in
            try ChildRun.run("find", [tree, "-type", "f", "-printf", "%s %T@\\n"]).checked("find").seconds
        }.min() ?? 0
    }

    /// An image of `size` bytes written 8 MiB at a time: a PNG signature,
    /// pseudo-random bytes (different for each seed), an `IEND` chunk.
    static func writeLargeImage(at path: String, size: Int, seed: UInt64) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw BenchmarkError("cannot create \(path)")
        }
        defer { try? handle.close() }
        let chunk = 8 << 20
        let body = DropFolderBuilder.imageBytes(seed: seed, size: min(size, chunk))
        var written = 0
        while written < size {
            // Every piece is a framed image of its own, so the file starts
            // with the signature and ends with IEND whatever its size.
            let count = min(chunk, size - written)
            try handle.write(contentsOf: count == body.count ? body : DropFolderBuilder.imageBytes(seed: seed &+ 1, size: count))
            written += count
        }
    }
}

/// The built `nachet-sync` executable, run as a user would.
struct AgentCommand {
    /// The executable beside this benchmark's.
    static let executable: String = {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("nachet-sync").path
    }()

    /// Options every run shares: where state lives, where blobs go.
    var options: [String]

    /// - Parameters:
    ///   - catalogue: `--catalogue`; the embedded SQLite file when `nil`.
    ///   - blobStore: `--blob-store`; the embedded blob folder when `nil`.
    init(stateDirectory: String, catalogue: String? = nil, blobStore: String? = nil) {
        options =
            ["--state-dir", stateDirectory, "--log-level", "warning"] + (catalogue.map { ["--catalogue", $0] } ?? [])
            + (blobStore.map { ["--blob-store", $0] } ?? [])
    }

    func run(_ command: [String], _ arguments: [String] = []) throws -> ChildRun {
        try ChildRun.run(Self.executable, command + options + arguments)
    }

    /// Registers the benchmark's user (and its container).
    func registerUser() throws {
        try run(["user", "add"], [BenchmarkData.email]).checked("nachet-sync user add")
    }

    /// Makes the catalogue's tables and default seeds (`db init`).
    func initializeCatalogue() throws {
        try run(["db", "init"]).checked("nachet-sync db init")
    }

    /// One `sync` of `drop`, with the agent's default pictures in flight
    /// unless `parallelUploads` is given, and its default datastore check;
    /// checks it ended without errors.
    func sync(_ drop: String, parallelUploads: Int? = nil) throws -> ChildRun {
        let limit = parallelUploads.map { ["--parallel-uploads", "\($0)"] } ?? []
        return try run(["sync"], limit + [drop]).checked("nachet-sync sync")
    }
}
