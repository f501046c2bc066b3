import Foundation
import NachetSync
import NachetSyncTestSupport
import Testing

/// The built agent, under a memory limit set in its process only, over a
/// drop folder holding crafted images beside a good folder.
@Suite("Crafted images cannot take the agent's memory")
struct HostileImageCommandLineTests {
    /// The address space the agent is given (`prlimit --as`, in the child
    /// only): four times what the README demo's sync needed here (it ran in
    /// 256 MiB), while one allocation from a crafted count (8 GiB) cannot fit.
    static let addressSpaceLimit = 1 << 30

    @Test func theCrafted26ByteTIFFIsReportedAndTheOtherFolderStored() async throws {
        let directory = TemporaryDirectory()
        let state = directory.appending("state")
        let drop = DropFolderBuilder(root: directory.appending("drop"))
        try drop.makeSet("good", metadata: DropFolderBuilder.metadata())
        try drop.writeImage("g.png", in: "good", seed: 1)
        try drop.makeSet("crafted", metadata: DropFolderBuilder.metadata())
        // 8 + 2 + 12 + 4 bytes: one directory whose StripOffsets claims 2^31 LONG values.
        let crafted = TIFFCompletenessTests.tiff([(273, 4, 1 << 31, 0)])
        try Data(crafted).write(to: URL(fileURLWithPath: drop.root + "/crafted/strips.tif"))
        try Data(TIFFCompletenessTests.tiff([(273, 4, 1 << 24, 0)])).write(to: URL(fileURLWithPath: drop.root + "/crafted/smaller.tif"))
        let commandLine = CommandLineTests()
        let add = try await commandLine.run(["user", "add", "--state-dir", state, TestDatastore.technician])
        #expect(add.status == 0, "\(add.errors)")

        let sync = try await commandLine.run(
            [:], executable: "/usr/bin/prlimit",
            arguments: ["--as=\(Self.addressSpaceLimit)", "--", CommandLineTests.executable, "sync", "--state-dir", state, drop.root])

        #expect(sync.status == 2, "exit code 2: two files with errors, the rest stored. \(sync.output)\(sync.errors)")
        #expect(sync.output.contains("truncated TIFF (26 of 8589934592 bytes)"), "\(sync.output)")
        #expect(sync.output.contains("truncated TIFF (26 of 67108864 bytes)"), "\(sync.output)")
        #expect(sync.output.contains("1 picture uploaded") || sync.output.contains("1 pictures uploaded"), "\(sync.output)")
    }
}
