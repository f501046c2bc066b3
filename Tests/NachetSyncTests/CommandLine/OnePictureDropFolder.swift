import Foundation
import NachetSyncTestSupport

/// A drop folder holding one set (`lot-1`) of one picture, a state
/// directory, and a `--config` file naming them, its user registered in the
/// embedded catalogue: where a test of the agent on a working set-up starts.
struct OnePictureDropFolder {
    let directory = TemporaryDirectory()
    let state: String
    let drop: DropFolderBuilder
    let config: String

    /// - Parameters:
    ///   - settings: The configuration file's lines, given the state
    ///     directory and the drop folder.
    ///   - lineEnd: How its lines end (`"\r\n"` as Windows saves them).
    ///   - byteOrderMark: Whether it starts with a UTF-8 byte order mark.
    init(settings: (_ state: String, _ drop: String) -> [String], lineEnd: String = "\n", byteOrderMark: Bool = false) async throws {
        state = directory.appending("state")
        drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        try drop.writeImage("a.png", in: "lot-1", seed: 1)
        config = directory.appending("nachet-sync.env")
        let text = (byteOrderMark ? "\u{FEFF}" : "") + settings(state, drop.root).map { $0 + lineEnd }.joined()
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let add = try await CommandLineTests().run(["user", "add", "--config", config, "tech@lab.example"])
        guard add.status == 0 else { throw TestSetupError("cannot register the user: \(add.errors)") }
    }
}
