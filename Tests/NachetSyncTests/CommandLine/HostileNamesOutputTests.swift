import Foundation
import Glibc
import NachetSync
import NachetSyncTestSupport
import Testing

/// Entries whose names try to forge lines or command the terminal, as a
/// hostile tester names them: what `sync` and `status` print, and what the
/// agent logs, keeps each name on its own line with its escapes visible.
@Suite("nachet-sync output: hostile names")
struct HostileNamesOutputTests {
    static let forged = "2026-11-30T00:00:00Z error FAKE the datastore was wiped"

    @Test func aNameCannotForgeALineOrCommandTheTerminal() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("lot-1", metadata: DropFolderBuilder.metadata())
        _ = try drop.writeImage("good.png", in: "lot-1", seed: 1)
        // Links are reported by name (and never followed).
        let folder = drop.root + "/lot-1"
        try #require(symlink("/etc/hostname", folder + "/x.png\n" + Self.forged + ".png") == 0)
        try #require(symlink("/etc/hostname", folder + "/y\u{1B}[2J\u{1B}[8m.png") == 0)
        let tool = CommandLineTests()
        #expect(try await tool.run(["user", "add", "--state-dir", state, "tech@lab.example"]).status == 0)

        let sync = try await tool.run(["sync", "--state-dir", state, drop.root])
        let status = try await tool.run(["status", "--state-dir", state])

        #expect(sync.status == 2, "\(sync.output) \(sync.errors)")
        #expect(sync.output.contains("1 picture uploaded"), "the good image is stored: \(sync.output)")
        for (what, text) in [("sync's summary", sync.output), ("sync's log", sync.errors), ("status", status.output)] {
            let lines = text.split(separator: "\n")
            #expect(!lines.contains { $0.hasPrefix(Self.forged) || $0.hasPrefix("<3>" + Self.forged) }, "\(what) has a forged line: \(text)")
            #expect(!text.unicodeScalars.contains { $0.value == 0x1B }, "\(what) sends an escape to the terminal: \(text)")
            #expect(text.contains(#"x.png\n2026-11-30"#), "\(what) shows the name with its newline visible: \(text)")
            #expect(text.contains(#"y\u{1B}[2J\u{1B}[8m.png"#), "\(what) shows the escapes: \(text)")
        }
    }
}
